// The console in the browser: live updates, alerts and keyboard comfort. Progressive
// enhancement: every page and form also works without this script.
(function () {
  "use strict";
  var queue = document.getElementById("queue");
  var transcript = document.getElementById("transcript");
  var scroller = document.getElementById("scroll");
  var announcer = document.getElementById("announce");
  var alertBox = document.getElementById("alerts");
  var baseTitle = document.title;

  function getHtml(url) {
    return fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; });
  }

  // ---- remembered between pages of this tab: what the worker was already told about ----
  function remembered(key) {
    try { return JSON.parse(sessionStorage.getItem(key) || "{}"); } catch (e) { return {}; }
  }
  function remember(key, value) {
    try { sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }

  // ---- a short tone, and a browser notification when the worker allowed them ----
  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { return; }
      var ctx = new Ctx(), osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = 880; gain.gain.value = 0.15;
      osc.connect(gain); gain.connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no sound available */ }
  }
  function notify(text, url) {
    if (!("Notification" in window) || Notification.permission !== "granted") { return; }
    try {
      var n = new Notification("Voordeur", { body: text, tag: url });
      n.onclick = function () { window.focus(); location.href = url; };
    } catch (e) { /* some browsers allow notifications only from a service worker */ }
  }
  var notifyButton = document.getElementById("notify-on");
  if (notifyButton && "Notification" in window && Notification.permission === "default") {
    notifyButton.hidden = false;
    notifyButton.addEventListener("click", function () {
      Notification.requestPermission().then(function () { notifyButton.hidden = true; });
    });
  }

  var signedOut = false;
  function showSignedOut() {
    if (signedOut || !alertBox) { return; }
    signedOut = true;
    var item = document.createElement("p");
    item.className = "alert";
    var link = document.createElement("a");
    link.href = "/console/login"; link.textContent = "Je bent uitgelogd. Nieuwe berichten zie je pas als je opnieuw inlogt. Inloggen";
    item.appendChild(link);
    alertBox.appendChild(item);
  }

  function showAlert(text, url) {
    if (!alertBox) { return; }
    var shown = alertBox.querySelectorAll("p.alert a");
    for (var i = 0; i < shown.length; i++) {
      if (shown[i].getAttribute("href") === url) { return; }  // one banner per case
    }
    var item = document.createElement("p");
    item.className = "alert";
    var link = document.createElement("a");
    link.href = url; link.textContent = text;
    var close = document.createElement("button");
    close.type = "button"; close.className = "quiet"; close.textContent = "Sluit melding";
    close.addEventListener("click", function () { item.remove(); });
    item.appendChild(link); item.appendChild(document.createTextNode(" ")); item.appendChild(close);
    alertBox.appendChild(item);
    beep();
    notify(text, url);
  }

  // ---- alerts on every worker page: new urgent case, a resident's reply, the title count ----
  var MAX_BANNERS = 3;
  var openCase = transcript ? transcript.dataset.live : null;
  function checkAlerts() {
    if (!alertBox) { return; }
    fetch("/console/alerts", { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401) { showSignedOut(); }
        return r.ok ? r.json() : null;
      })
      .then(function (data) {
        if (!data) { return; }
        var told = remembered("voordeur-told");
        var fresh = {};
        var news = [];  // [text, url] of what this tab has not told yet
        data.urgent.forEach(function (c) {
          var key = "u" + c.id;
          fresh[key] = true;
          if (!told[key] && String(c.id) !== openCase) {
            news.push(["Crisis: " + c.label + " wacht op een medewerker. Openen", "/console/conversations/" + c.id]);
          }
        });
        data.unread.forEach(function (c) {
          var key = "r" + c.id;
          fresh[key] = true;
          if (!told[key] && String(c.id) !== openCase) {
            news.push(["Nieuw bericht van " + c.label + ". Openen", "/console/conversations/" + c.id]);
          }
        });
        if (news.length > MAX_BANNERS) {
          // Many at once (a new shift, a busy night): one banner, not a wall of them.
          showAlert(news.length + " nieuwe meldingen, waarvan " + data.urgent.length +
                    " crisis. Naar de wachtrij", "/console");
        } else {
          news.forEach(function (n) { showAlert(n[0], n[1]); });
        }
        remember("voordeur-told", fresh);
        var count = data.waiting + data.unread.length;
        document.title = (count ? "(" + count + ") " : "") + baseTitle;
      });
  }

  // ---- the queue: refresh in place, mark rows that are new since this tab saw them ----
  function refreshQueue() {
    getHtml(queue.dataset.live).then(function (html) {
      if (html === null) { return; }
      var focusedId = document.activeElement && document.activeElement.closest &&
        document.activeElement.closest("[data-conversation]");
      focusedId = focusedId ? focusedId.dataset.conversation : null;
      queue.innerHTML = html;
      markNewRows();
      if (focusedId) {
        var again = queue.querySelector('[data-conversation="' + focusedId + '"] button, [data-conversation="' + focusedId + '"] a');
        if (again) { again.focus(); }
      }
    });
  }
  function markNewRows() {
    var seen = remembered("voordeur-seen-rows");
    var first = !sessionStorage.getItem("voordeur-seen-rows");
    queue.querySelectorAll("tr[data-conversation]").forEach(function (row) {
      var id = row.dataset.conversation;
      if (!first && !seen[id]) {
        row.classList.add("new");
        var label = row.querySelector("th");
        if (label && !label.querySelector(".badge.new")) {
          var badge = document.createElement("span");
          badge.className = "badge new"; badge.textContent = "Nieuw";
          label.appendChild(document.createTextNode(" ")); label.appendChild(badge);
        }
      }
      seen[id] = true;
    });
    remember("voordeur-seen-rows", seen);
  }

  // ---- one case: new messages appended at the bottom and read out by screen readers ----
  function nearBottom() {
    return !scroller || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  }
  function toBottom() { if (scroller) { scroller.scrollTop = scroller.scrollHeight; } }
  function lastId() {
    var items = transcript.querySelectorAll("li[data-id]");
    return items.length ? Number(items[items.length - 1].dataset.id) : 0;
  }
  function refreshTranscript(forceBottom) {
    var before = lastId();
    var stick = forceBottom || nearBottom();
    return getHtml("/console/conversations/" + openCase + "/transcript").then(function (html) {
      if (html === null) { return; }
      var holder = document.createElement("ol");
      holder.innerHTML = html;
      var added = [];
      holder.querySelectorAll("li[data-id]").forEach(function (li) {
        // Two refreshes can overlap (the reply's own and a live event): never show one twice.
        if (Number(li.dataset.id) > before && !transcript.querySelector('li[data-id="' + li.dataset.id + '"]')) {
          added.push(li);
          transcript.appendChild(li);
        }
      });
      if (!added.length) { return; }
      var fromResident = added.filter(function (li) { return li.classList.contains("resident"); });
      if (fromResident.length && announcer) {
        var last = fromResident[fromResident.length - 1].querySelector(".text");
        announcer.textContent = "Nieuw bericht van de bewoner: " + (last ? last.textContent : "");
      }
      if (stick) { toBottom(); }
    });
  }

  function refresh() {
    if (queue) { refreshQueue(); }
    if (transcript) { refreshTranscript(false); }
    checkAlerts();
  }
  if (alertBox) {
    if (window.EventSource) {
      var source = new EventSource("/console/events");
      source.addEventListener("queue", refresh);
    }
    setInterval(refresh, 10000);
    checkAlerts();
  }
  if (queue) { markNewRows(); }
  if (transcript) { toBottom(); }

  // ---- the reply box: Enter sends, Shift+Enter is a new line; sending keeps the page ----
  var replyForm = document.getElementById("reply-form");
  var reply = document.getElementById("reply");
  function send() {
    if (!reply.value.trim()) { reply.focus(); return; }
    var body = new FormData(replyForm);
    reply.disabled = true;
    fetch(replyForm.action, { method: "POST", body: body, credentials: "same-origin", redirect: "manual" })
      .then(function (r) {
        if (r.type === "opaqueredirect" || r.ok) {
          reply.value = "";
          return refreshTranscript(true);
        }
        replyForm.submit();  // the server explains what was wrong on its own page
      })
      .finally(function () { reply.disabled = false; reply.focus(); });
  }
  if (replyForm && reply) {
    replyForm.addEventListener("submit", function (e) { e.preventDefault(); send(); });
    reply.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
    });
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest(".canned-reply");
    if (button && reply) { reply.value = button.dataset.text; reply.focus(); }
  });

  // ---- closing: say what is missing, then ask once to confirm ----
  var closeForm = document.getElementById("close-form");
  if (closeForm) {
    var outcome = document.getElementById("close-outcome");
    var service = document.getElementById("close-service");
    var intent = document.getElementById("close-intent");
    var error = document.getElementById("close-error");
    var confirmBox = document.getElementById("close-confirm");
    var submit = document.getElementById("close-submit");
    var chosen = function (select) { return select.options[select.selectedIndex].text; };
    var problem = function () {
      if (!outcome.value) { return [outcome, "Kies eerst een uitkomst."]; }
      if (outcome.value === "referred" && !service.value) {
        return [service, "Kies bij ‘Doorverwezen’ de dienst waar je de bewoner naar verwijst."];
      }
      if (!intent.value) { return [intent, "Kies de vraag van de bewoner."]; }
      return null;
    };
    closeForm.addEventListener("submit", function (e) {
      if (e.submitter && e.submitter.name === "confirmed") { return; }
      e.preventDefault();
      var found = problem();
      if (found) {
        error.textContent = found[1]; error.hidden = false;
        found[0].setAttribute("aria-invalid", "true"); found[0].focus();
        return;
      }
      error.hidden = true;
      [outcome, service, intent].forEach(function (s) { s.removeAttribute("aria-invalid"); });
      document.getElementById("close-summary").textContent = "Weet je het zeker? Uitkomst: " + chosen(outcome) +
        (service.value && outcome.value === "referred" ? ", naar " + chosen(service) : "") +
        ". Vraag: " + chosen(intent) + ". De bewoner krijgt een bericht dat het gesprek stopt.";
      confirmBox.hidden = false; submit.hidden = true;
      confirmBox.querySelector("button[name=confirmed]").focus();
    });
    document.getElementById("close-cancel").addEventListener("click", function () {
      confirmBox.hidden = true; submit.hidden = false; submit.focus();
    });
  }
})();
