// Live updates for the console (progressive enhancement: every page works without this).
(function () {
  "use strict";
  var queue = document.getElementById("queue");
  var transcript = document.getElementById("transcript");
  function refresh() {
    if (queue) {
      fetch(queue.dataset.live, { headers: { Accept: "text/html" } }).then(function (r) { return r.text(); })
        .then(function (html) { queue.innerHTML = html; });
    }
    if (transcript) {
      // The transcript alone: a live refresh is not a new read in the access log.
      fetch("/console/conversations/" + transcript.dataset.live + "/transcript", { headers: { Accept: "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) { transcript.innerHTML = html; } });
    }
  }
  if ((queue || transcript) && window.EventSource) {
    var source = new EventSource("/console/events");
    source.addEventListener("queue", function (e) {
      var data = JSON.parse(e.data);
      if (queue || (transcript && String(data.conversation) === transcript.dataset.live)) { refresh(); }
    });
  }
  if (queue || transcript) { setInterval(refresh, 10000); }
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest(".canned-reply");
    if (button) { document.getElementById("reply").value = button.dataset.text; }
  });
})();
