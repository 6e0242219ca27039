// The web chat page: talks to the JSON API of CONTRACTS.md §3. Resident text is always
// put on the page as text (textContent), never as HTML.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var input = document.getElementById("text");
  var status = document.getElementById("status");
  var seen = {};
  var lastId = 0;

  function newSession() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "w" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  var session = localStorage.getItem("voordeur-session");
  if (!session) { session = newSession(); localStorage.setItem("voordeur-session", session); }

  function add(kind, text, buttons, author) {
    var item = document.createElement("li");
    item.className = kind;
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = kind === "me" ? "Jij" : kind === "human" ? "Medewerker " + (author || "") : "Assistent (computer)";
    item.appendChild(who);
    item.appendChild(document.createTextNode(text));
    if (buttons && buttons.length) {
      var row = document.createElement("div");
      row.className = "buttons";
      buttons.forEach(function (b) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = b.title;
        button.addEventListener("click", function () { send(b.payload, b.title); });
        row.appendChild(button);
      });
      item.appendChild(row);
    }
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  function show(messages) {
    messages.forEach(function (m) {
      if (seen[m.id]) { return; }
      seen[m.id] = true;
      lastId = Math.max(lastId, parseInt(m.id, 10) || 0);
      add(m.from === "human" ? "human" : "bot", m.text, m.buttons, m.author);
    });
  }

  function send(text, shown) {
    add("me", shown || text);
    status.textContent = "";
    fetch("/api/webchat/messages", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session: session, text: text, id: newSession() })
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (!res.ok) { status.textContent = res.body.detail || "Dat lukte niet. Probeer het opnieuw."; return; }
      show(res.body.messages);
      listen();
    }).catch(function () {
      status.textContent = "Geen verbinding. Je bericht is misschien niet aangekomen. Probeer het zo opnieuw.";
    });
  }

  var source = null;
  function listen() {
    if (source || !window.EventSource) { return; }
    source = new EventSource("/api/webchat/" + session + "/events?after=" + lastId);
    source.addEventListener("message", function (e) { show([JSON.parse(e.data)]); });
    source.onerror = function () { source.close(); source = null; setTimeout(listen, 3000); };
  }

  fetch("/api/webchat/" + session + "/messages?after=0").then(function (r) {
    if (r.ok) { return r.json().then(function (body) { show(body.messages); listen(); }); }
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { status.textContent = "Typ eerst een bericht."; return; }
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
})();
