/* Bulk select on list pages (issue 21, lists at volume): the header checkbox
 * [data-select-all="name"] ticks or clears every row checkbox name="name" on this
 * page, and shows "some" (indeterminate) when only part of them are ticked. Without
 * JavaScript, the "Select all on this page" link does the same through the server
 * (?select=page). No inline script: the Content-Security-Policy forbids it. */
(function () {
  "use strict";
  function wire(all) {
    var name = all.getAttribute("data-select-all");
    var form = all.form;
    if (!form) return;
    function boxes() {
      return Array.prototype.slice.call(
        form.querySelectorAll('input[type="checkbox"][name="' + name + '"]'));
    }
    function sync() {
      var list = boxes(), ticked = list.filter(function (b) { return b.checked; }).length;
      all.checked = list.length > 0 && ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
    }
    all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
      sync();
    });
    boxes().forEach(function (b) { b.addEventListener("change", sync); });
    sync();
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-select-all]"), wire);
    Array.prototype.forEach.call(document.querySelectorAll(".select-page-link"),
      function (a) { a.hidden = true; });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
