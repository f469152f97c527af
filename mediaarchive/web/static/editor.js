// The transcript editor on the talk page (for editors; the page works without it).
// "Bearbeiten" makes each line editable in place: click or Enter on a line opens it, Enter
// saves it (one request: a new version of that segment) and opens the next, Esc cancels.
// Ctrl+Space plays/pauses and Alt+Left replays the last 3 seconds (modifier keys only, so
// typing is never swallowed).
(function () {
  "use strict";
  var box = document.getElementById("transcript");
  var toggle = document.getElementById("edit-toggle");
  if (!box || !toggle || !box.dataset.asset) return;
  var video = document.getElementById("player");
  var legend = document.getElementById("key-legend");
  var status = document.getElementById("edit-status");
  var editing = false;
  var open = null; // {li, input, text}

  function say(message) { status.textContent = message; }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function items() { return Array.prototype.slice.call(box.querySelectorAll("li[data-segment]")); }

  function textOf(li) { return li.querySelector(".text").textContent; }

  function close(restore) {
    if (!open) return;
    var current = open;
    open = null;
    current.input.remove();
    current.li.querySelector("a.line").hidden = false;
    if (restore) current.li.querySelector("a.line").focus();
  }

  function openLine(li) {
    close(false);
    var link = li.querySelector("a.line");
    var input = document.createElement("input");
    input.type = "text";
    input.className = "line-input";
    input.value = textOf(li);
    input.maxLength = 5000;
    input.setAttribute("aria-label", fill(box.dataset.label, { time: li.querySelector(".time").textContent }));
    link.hidden = true;
    li.appendChild(input);
    open = { li: li, input: input, text: input.value };
    input.focus();
    if (video) {
      var start = parseFloat(link.dataset.start);
      if (!isNaN(start) && Math.abs(video.currentTime - start) > 1) video.currentTime = start;
    }
  }

  function next(li) {
    var list = items();
    var i = list.indexOf(li);
    return i >= 0 && i + 1 < list.length ? list[i + 1] : null;
  }

  function setText(li, text) {
    var span = li.querySelector(".text");
    span.textContent = text; // a corrected line is plain text: its marks are gone
  }

  function save(entry) {
    var text = entry.input.value.replace(/\s+/g, " ").trim();
    if (text === entry.text.replace(/\s+/g, " ").trim()) { return Promise.resolve(true); }
    entry.input.disabled = true;
    return fetch("/api/assets/" + encodeURIComponent(box.dataset.asset) + "/transcript/revisions", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": box.dataset.csrf },
      body: JSON.stringify({ segments: [{ segment: parseInt(entry.li.dataset.segment, 10), text: text }] })
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      entry.input.disabled = false;
      if (result.status === 200) {
        var saved = result.body.segments && result.body.segments[0];
        if (saved) { entry.li.dataset.segment = saved.segment; setText(entry.li, saved.text); }
        say(box.dataset.saved);
        return true;
      }
      if (result.status === 409) {
        if (result.body.segment) entry.li.dataset.segment = result.body.segment;
        if (result.body.text !== null && result.body.text !== undefined) {
          setText(entry.li, result.body.text);
          entry.input.value = result.body.text;
          entry.text = result.body.text;
        }
        say(fill(box.dataset.conflict, { text: result.body.text || "" }));
        entry.input.focus();
        return false;
      }
      var detail = typeof result.body.detail === "string" ? result.body.detail : String(result.status);
      say(fill(box.dataset.failed, { message: detail }));
      entry.input.focus();
      return false;
    }).catch(function (error) {
      entry.input.disabled = false;
      say(fill(box.dataset.failed, { message: String(error) }));
      return false;
    });
  }

  function setEditing(on) {
    editing = on;
    box.classList.toggle("editing", on);
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    toggle.textContent = on ? toggle.dataset.off : toggle.dataset.on;
    if (legend) legend.hidden = !on;
    if (!on) close(false);
    say("");
  }

  toggle.addEventListener("click", function () {
    setEditing(!editing);
    if (editing) { var first = box.querySelector("a.line"); if (first) first.focus(); }
  });

  // In edit mode a click on a line opens it instead of only seeking (capture: before the
  // player's own handler on the link).
  box.addEventListener("click", function (event) {
    if (!editing) return;
    var link = event.target.closest("a.line");
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    openLine(link.closest("li"));
  }, true);

  box.addEventListener("keydown", function (event) {
    if (!editing) return;
    if (event.target.classList.contains("line-input")) {
      if (event.key === "Enter") {
        event.preventDefault();
        var entry = open;
        save(entry).then(function (ok) {
          if (!ok || open !== entry) return;
          var following = next(entry.li);
          close(false);
          if (following) openLine(following); else entry.li.querySelector("a.line").focus();
        });
      } else if (event.key === "Escape") {
        event.preventDefault();
        close(true);
        say("");
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (!editing || !video) return;
    if (event.ctrlKey && (event.code === "Space" || event.key === " ")) {
      event.preventDefault();
      if (video.paused) video.play(); else video.pause();
    } else if (event.altKey && event.key === "ArrowLeft") {
      event.preventDefault();
      video.currentTime = Math.max(0, video.currentTime - 3);
      if (video.paused) video.play();
    }
  });
})();
