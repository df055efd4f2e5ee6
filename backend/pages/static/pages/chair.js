/* The chair's console: words selected in a paragraph's wording fill that
   paragraph's "Bracket words" form (the words and where they start in the
   wording), so the chair brackets by selecting, then one button. Without
   this script the chair types the words (the first occurrence is taken).
   Offsets count the wording's own characters: the "[" and "]" the page
   draws around spans already bracketed (span.mark) are skipped. */
(function () {
  "use strict";

  function offsetIn(root, node, offset) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, null);
    var count = 0;
    var current;
    while ((current = walker.nextNode())) {
      var mark = current.parentElement && current.parentElement.classList.contains("mark");
      if (current === node) return mark ? count : count + offset;
      if (!mark) count += current.nodeValue.length;
    }
    return -1;
  }

  function wordingOf(node) {
    var el = node.nodeType === 1 ? node : node.parentElement;
    return el ? el.closest(".console .wording") : null;
  }

  function takeSelection() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    var range = selection.getRangeAt(0);
    var wording = wordingOf(range.startContainer);
    if (!wording || wording !== wordingOf(range.endContainer)) return;
    var article = wording.closest("article");
    if (!article) return;
    var id = article.id.replace(/^p/, "");
    var words = document.getElementById("bracket-words-" + id);
    var start = document.getElementById("bracket-start-" + id);
    if (!words || !start) return;
    var from = offsetIn(wording, range.startContainer, range.startOffset);
    var to = offsetIn(wording, range.endContainer, range.endOffset);
    if (from < 0 || to <= from) return;
    var text = selection.toString().replace(/[\[\]]/g, "");
    var trimmed = text.replace(/^\s+/, "");
    from += text.length - trimmed.length;
    words.value = trimmed.replace(/\s+$/, "");
    start.value = String(from);
    var details = document.getElementById("bracket-" + id);
    if (details) details.open = true;
  }

  /* The action bar on a phone: sticky, it would take up to 40% of the
     screen, so it folds to one "Chair's actions" button (a real button:
     Enter and Space work, aria-expanded tells its state). On a wider screen
     it is always open and the button is hidden. The live refresh replaces
     the bar (hx-select="#live"), so the state is kept here and applied
     again after each swap. */
  var narrow = window.matchMedia("(max-width: 40rem)");
  var barOpen = false;

  function applyBar() {
    var toggle = document.querySelector("#chair-bar .bar-toggle");
    var actions = document.getElementById("chair-bar-actions");
    if (!toggle || !actions) return;
    var expanded = !narrow.matches || barOpen;
    toggle.hidden = !narrow.matches;
    toggle.setAttribute("aria-expanded", expanded ? "true" : "false");
    actions.hidden = !expanded;
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target && event.target.closest ? event.target.closest("#chair-bar .bar-toggle") : null;
    if (!toggle) return;
    barOpen = toggle.getAttribute("aria-expanded") !== "true";
    applyBar();
  });
  if (narrow.addEventListener) narrow.addEventListener("change", applyBar);
  document.addEventListener("htmx:afterSwap", applyBar);
  document.addEventListener("htmx:afterSettle", applyBar);
  applyBar();

  document.addEventListener("mouseup", takeSelection);
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey) takeSelection();
  });
  // typing the words by hand: the position no longer applies
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target && target.id && target.id.indexOf("bracket-words-") === 0) {
      var start = document.getElementById(target.id.replace("words", "start"));
      if (start) start.value = "";
    }
  });
})();
