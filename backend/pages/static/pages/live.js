/* Live updates for Consenso's pages (see backend/pages/live.py).
 * One request at a time: ask whether the meeting changed (If-None-Match);
 * on a new ETag, fire "consenso:changed" so htmx refetches the page's live
 * region. Forms being typed in are hx-preserve'd; focus and the caret are
 * put back after the swap where the browser could not keep them. Also runs
 * the silence-procedure countdowns. No framework, no eval. */
(function () {
  "use strict";
  var main = document.querySelector("[data-live]");
  if (main) {
    var etag = main.getAttribute("data-etag");
    var url = main.getAttribute("data-live");
    var every = parseInt(main.getAttribute("data-every"), 10) || 700;
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
  document.addEventListener("htmx:beforeSwap", function () {
    var el = document.activeElement;
    saved = el && el.id ? { id: el.id, start: el.selectionStart, end: el.selectionEnd } : null;
  });
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
