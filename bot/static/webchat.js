// The web chat page: talks to the JSON API of CONTRACTS.md §3. Resident text is always
// put on the page as text (textContent), never as HTML.
// Shared computers (a library PC): the session lives in sessionStorage, so it ends with the
// tab; "Stop gesprek" and "Wis mijn gesprek" clear the page and start a new session. The
// session id travels in a header or a POST body, never in a URL (proxy logs keep URLs).
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var input = document.getElementById("text");
  var status = document.getElementById("status");
  var confirmBox = document.getElementById("confirm-erase");
  var KEY = "voordeur-session";
  var seen = {};
  var lastId = 0;
  var stream = null; // the AbortController of the open event stream

  function newId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "w" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  try { localStorage.removeItem(KEY); } catch (e) { /* older pages kept it forever */ }
  var session = sessionStorage.getItem(KEY);
  if (!session) { session = newId(); sessionStorage.setItem(KEY, session); }

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

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (json) { return { ok: r.ok, body: json }; });
    });
  }

  function send(text, shown) {
    add("me", shown || text);
    status.textContent = "";
    post("/api/webchat/messages", { session: session, text: text, id: newId() }).then(function (res) {
      if (!res.ok) { status.textContent = res.body.detail || "Dat lukte niet. Probeer het opnieuw."; return; }
      show(res.body.messages);
      listen();
    }).catch(function () {
      status.textContent = "Geen verbinding. Je bericht is misschien niet aangekomen. Probeer het zo opnieuw.";
    });
  }

  // Server-sent events read with fetch, so the session can go in a header.
  function listen() {
    if (stream || !window.fetch || !window.TextDecoder) { return; }
    var controller = new AbortController();
    stream = controller;
    fetch("/api/webchat/events?after=" + lastId, { headers: { "X-Webchat-Session": session }, signal: controller.signal })
      .then(function (r) {
        if (!r.ok || !r.body) { throw new Error("no stream"); }
        var reader = r.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        function pump() {
          return reader.read().then(function (part) {
            if (part.done) { throw new Error("stream ended"); }
            buffer += decoder.decode(part.value, { stream: true });
            var events = buffer.split("\n\n");
            buffer = events.pop();
            events.forEach(function (event) {
              event.split("\n").forEach(function (line) {
                if (line.indexOf("data: ") === 0) { show([JSON.parse(line.slice(6))]); }
              });
            });
            return pump();
          });
        }
        return pump();
      })
      .catch(function () {
        if (stream !== controller) { return; } // stopped on purpose
        stream = null;
        setTimeout(listen, 3000);
      });
  }

  function stopListening() {
    if (stream) { var controller = stream; stream = null; controller.abort(); }
  }

  // Clear the page and start over with a new session (after "Stop gesprek" or an erase).
  function startOver(messages) {
    stopListening();
    log.textContent = "";
    seen = {};
    lastId = 0;
    session = newId();
    sessionStorage.setItem(KEY, session);
    show(messages || []);
  }

  fetch("/api/webchat/messages?after=0", { headers: { "X-Webchat-Session": session } }).then(function (r) {
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

  document.getElementById("end").addEventListener("click", function () {
    post("/api/webchat/end", { session: session }).then(function (res) {
      startOver(res.ok ? res.body.messages : []);
    }).catch(function () { startOver([]); });
  });
  document.getElementById("erase").addEventListener("click", function () {
    confirmBox.hidden = false;
    document.getElementById("erase-yes").focus();
  });
  document.getElementById("erase-no").addEventListener("click", function () {
    confirmBox.hidden = true;
    input.focus();
  });
  document.getElementById("erase-yes").addEventListener("click", function () {
    confirmBox.hidden = true;
    status.textContent = "";
    post("/api/webchat/erase", { session: session }).then(function (res) {
      if (!res.ok || !res.body.erased) { status.textContent = "Wissen lukte niet. Probeer het opnieuw."; return; }
      startOver(res.body.messages);
    }).catch(function () {
      status.textContent = "Geen verbinding. Er is niets gewist. Probeer het zo opnieuw.";
    });
  });
})();
