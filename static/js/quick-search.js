/* The search box of every page and the work queue's select-all (issue 16).
   "/" goes to the search box (not while typing in a field); a checkbox marked
   data-select-all ticks or clears every box named by its data-select-all value in its form. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
    var box = document.getElementById("quick-search-q");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });
  document.addEventListener("change", function (event) {
    var all = event.target;
    if (!all || !all.matches || !all.matches("input[data-select-all]")) return;
    var form = all.form || document;
    var boxes = form.querySelectorAll('input[type=checkbox][name="' + all.getAttribute("data-select-all") + '"]');
    for (var i = 0; i < boxes.length; i++) { boxes[i].checked = all.checked; }
  });
})();
