// Live updates for the console (progressive enhancement: every page works without this).
(function () {
  "use strict";
  function replaceFrom(url, selector) {
    return fetch(url, { headers: { Accept: "text/html" } }).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.querySelector(selector) || doc.body;
      var target = document.querySelector(selector);
      if (target && fresh) { target.innerHTML = fresh.innerHTML; }
    });
  }
  var queue = document.getElementById("queue");
  var transcript = document.getElementById("transcript");
  function refresh() {
    if (queue) {
      fetch(queue.dataset.live, { headers: { Accept: "text/html" } }).then(function (r) { return r.text(); })
        .then(function (html) { queue.innerHTML = html; });
    }
    if (transcript) { replaceFrom(location.href, "#transcript"); }
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
