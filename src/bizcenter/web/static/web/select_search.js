// A search box before each <select data-search="…">: typing narrows the options (and
// their groups) to those containing the text, so 400 time zones or 150 currencies are
// found by a few letters. Without JavaScript the select is a plain one, found by typing
// its first letters as usual.
(function () {
  "use strict";
  function enhance(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-search";
    box.setAttribute("aria-label", "Search " + select.getAttribute("data-search"));
    box.setAttribute("aria-controls", select.id);
    box.placeholder = "Search " + select.getAttribute("data-search");
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var text = box.value.trim().toLowerCase().replace(/ /g, "_");
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var match = !text || option.value.toLowerCase().indexOf(text) !== -1 ||
          option.text.toLowerCase().indexOf(box.value.trim().toLowerCase()) !== -1;
        option.hidden = !match;
        if (match && first === null) { first = option; }
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
      });
      if (first !== null && select.selectedOptions.length && select.selectedOptions[0].hidden) {
        first.selected = true;
      }
    });
  }
  document.querySelectorAll("select[data-search]").forEach(enhance);
})();
