// The talk page: start at #t=SECONDS, seek from transcript lines, follow the current line.
(function () {
  "use strict";
  var video = document.getElementById("player");
  if (!video) return;
  var box = document.getElementById("transcript");
  var lines = box ? Array.prototype.slice.call(box.querySelectorAll("a[data-start]")) : [];
  var starts = lines.map(function (a) { return parseFloat(a.dataset.start); });
  var current = null;

  function hashTime() {
    var match = /(?:^#|&)t=(\d+(?:\.\d+)?)/.exec(window.location.hash);
    return match ? parseFloat(match[1]) : null;
  }

  function seek(seconds) {
    if (seconds === null || isNaN(seconds)) return;
    var go = function () { video.currentTime = seconds; };
    if (video.readyState >= 1) go();
    else video.addEventListener("loadedmetadata", go, { once: true });
  }

  // The line being spoken: the last one that started at or before the playhead.
  function lineAt(seconds) {
    var low = 0, high = starts.length - 1, found = -1;
    while (low <= high) {
      var mid = (low + high) >> 1;
      if (starts[mid] <= seconds + 0.05) { found = mid; low = mid + 1; } else { high = mid - 1; }
    }
    return found >= 0 ? lines[found] : null;
  }

  function follow() {
    var line = lineAt(video.currentTime);
    if (line === current) return;
    if (current) { current.classList.remove("current"); current.removeAttribute("aria-current"); }
    current = line;
    if (!line) return;
    line.classList.add("current");
    line.setAttribute("aria-current", "true");
    // Scroll the transcript (not the page) so the line stays in view.
    var top = line.offsetTop - box.offsetTop;
    if (top < box.scrollTop || top + line.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("a.line[data-start]"), function (a) {
    a.addEventListener("click", function (event) {
      event.preventDefault();
      var seconds = parseFloat(a.dataset.start);
      if (window.history && history.replaceState) history.replaceState(null, "", "#t=" + seconds.toFixed(2));
      seek(seconds);
      video.focus({ preventScroll: true });
    });
  });

  video.addEventListener("timeupdate", follow);
  video.addEventListener("seeked", follow);
  window.addEventListener("hashchange", function () { seek(hashTime()); });
  seek(hashTime());
})();
