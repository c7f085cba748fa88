// The Sessions page's live view: reload the session's screenshot every few seconds while the tab is visible.
(function () {
  "use strict";
  var image = document.getElementById("session-live");
  var note = document.getElementById("session-live-note");
  if (!image) return;
  var INTERVAL_MS = 3000;
  var failures = 0;
  function refresh() {
    if (document.hidden) return;
    var next = new Image();
    next.onload = function () {
      failures = 0;
      image.src = next.src;
    };
    next.onerror = function () {
      failures += 1;
      if (failures === 3 && note) note.textContent = "The live view is not available: the browser may have closed. Reload the page to see its status.";
    };
    next.src = image.getAttribute("data-src") + "?t=" + Date.now();
  }
  setInterval(refresh, INTERVAL_MS);
})();
