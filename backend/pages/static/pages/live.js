/* Live updates for Consenso's pages (see backend/pages/stream.py and live.py).
 * One connection per page. Where the server offers an event stream
 * (data-stream: ASGI with Redis), an EventSource receives either the changed
 * paragraphs themselves ("patch": swapped in out-of-band by htmx) or
 * "changed" (reload the live region). Otherwise, or if the stream cannot be
 * opened, poll one request at a time: ask whether the meeting changed
 * (If-None-Match); on a new ETag, fetch the changed paragraphs or reload the
 * live region. Forms being typed in are hx-preserve'd; focus and the caret
 * are put back after the swap where the browser could not keep them. Also
 * runs the silence-procedure countdowns. No framework, no eval. */
(function () {
  "use strict";
  var main = document.querySelector("[data-live]");
  if (main) {
    var etag = main.getAttribute("data-etag");
    var url = main.getAttribute("data-live");
    var every = parseInt(main.getAttribute("data-every"), 10) || 700;
    var polling = false;
    var poll = function () {
      if (polling) return;
      polling = true;
      main.setAttribute("data-live-mode", "poll");
      var tick = function () {
        fetch(url, { headers: { "If-None-Match": etag }, cache: "no-store", credentials: "same-origin" })
          .then(function (r) {
            var fresh = r.headers.get("ETag");
            if (r.status === 200 && fresh && fresh !== etag) {
              etag = fresh;
              changed();
            }
          })
          .catch(function () { /* offline for a moment: try again */ })
          .then(function () { setTimeout(tick, document.hidden ? every * 4 : every); });
      };
      setTimeout(tick, every);
    };
    var streamUrl = main.getAttribute("data-stream");
    if (streamUrl && window.EventSource && window.htmx) {
      var opened = false, failures = 0;
      var source = new EventSource(streamUrl);
      source.onopen = function () {
        opened = true;
        failures = 0;
        main.setAttribute("data-live-mode", "stream");
      };
      source.addEventListener("patch", function (e) { patched(e.data); });
      source.addEventListener("changed", function () { reload(); });
      source.onerror = function () {
        // CLOSED: the server said no stream (204) or refused; never opened after
        // a few tries: something between us blocks it. Either way, poll.
        if (source.readyState === EventSource.CLOSED || (!opened && ++failures >= 3)) {
          source.close();
          poll();
        }
      };
    } else {
      poll();
    }
  }

  /* The paragraphs the stream sent: swapped out-of-band like a fetched patch. */
  function patched(html) {
    var region = document.getElementById("live");
    if (!region) return reload();
    remember();
    window.htmx.swap(region, html, { swapStyle: "none" });
  }

  /* Reload the live region (spread over a moment: every open page gets the
   * same event at once). */
  function reload() {
    setTimeout(function () {
      document.body.dispatchEvent(new CustomEvent("consenso:changed"));
    }, Math.random() * 200);
  }

  /* The text page re-renders only the paragraphs changed since the event it
   * shows (the server answers with out-of-band swaps, or asks for a full
   * reload with HX-Trigger: consenso:changed); other pages reload their
   * live region. */
  function changed() {
    var region = document.getElementById("live");
    var after = document.getElementById("live-after");
    var patch = region && region.getAttribute("data-patch");
    if (patch && after && window.htmx) {
      window.htmx.ajax("GET", patch + after.getAttribute("data-after"), { source: region, swap: "none" });
    } else {
      document.body.dispatchEvent(new CustomEvent("consenso:changed"));
    }
  }

  var saved = null;
  function remember() {
    var el = document.activeElement;
    saved = el && el.id ? { id: el.id, start: el.selectionStart, end: el.selectionEnd } : null;
  }
  document.addEventListener("htmx:beforeSwap", remember);
  document.addEventListener("htmx:afterSettle", function () {
    if (!saved) return;
    var el = document.getElementById(saved.id);
    if (el && document.activeElement !== el) {
      el.focus({ preventScroll: true });
      try { el.setSelectionRange(saved.start, saved.end); } catch (e) { /* not a text field */ }
    }
    saved = null;
    countdowns();
  });

  function countdowns() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Math.max(0, Math.ceil((Date.parse(el.getAttribute("data-deadline")) - now) / 1000));
      if (left === 0) { el.textContent = el.getAttribute("data-ended"); return; }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      el.textContent = (d ? d + "d " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
    });
  }
  countdowns();
  setInterval(countdowns, 1000);
})();
