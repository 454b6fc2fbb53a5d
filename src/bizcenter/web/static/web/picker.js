/* The asset picker, enhanced (web/pickers.py; no inline script: CSP).
 *
 * Without this file the picker is a search box, a page of rows and Search/page buttons
 * that post the form back. With it: results come as you type from the page's JSON view
 * (the same service, authorization and order), "Add" turns a row into a chip holding
 * the same input the server reads (asset_<id> = role, or assets = id), and × removes it.
 */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function removeButton(chip, label, picker) {
    var button = el("button", {type: "button", "class": "picker-remove link",
                               "aria-label": "Remove " + label}, "×");
    button.addEventListener("click", function () {
      chip.remove();
      picker.count();
      picker.search.focus();
    });
    return button;
  }

  function Picker(root) {
    this.root = root;
    this.mode = root.dataset.mode;
    this.url = root.dataset.searchUrl;
    this.owned = root.dataset.owned;
    this.search = root.querySelector("[data-q]");
    this.type = root.querySelector("[data-type]");
    this.chosen = root.querySelector("[data-chosen]");
    this.results = root.querySelector("[data-results]");
    this.summary = root.querySelector("[data-summary]");
    this.page = 1;
    this.timer = null;
    this.asked = 0;
    var self = this;
    // Chips the server drew get a remove button.
    this.chosen.querySelectorAll(".picker-chip").forEach(function (chip) {
      var name = chip.querySelector(".picker-name");
      chip.appendChild(removeButton(chip, name ? name.textContent : "asset", self));
    });
    var pages = root.querySelector("[data-pages]");
    if (pages) { pages.remove(); }
    this.pager = el("p", {"class": "picker-pages"});
    this.results.after(this.pager);
    this.search.addEventListener("input", function () { self.later(); });
    this.search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); self.now(1); }
    });
    this.type.addEventListener("change", function () { self.now(1); });
    root.querySelector("[data-search]").addEventListener("click", function (event) {
      event.preventDefault();
      self.now(1);
    });
    this.now(1);
  }

  Picker.prototype.later = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.now(1); }, 200);
  };

  Picker.prototype.ids = function () {
    var ids = {};
    this.chosen.querySelectorAll(".picker-chip").forEach(function (chip) {
      ids[chip.dataset.id] = true;
    });
    return ids;
  };

  Picker.prototype.count = function () {
    var n = this.chosen.querySelectorAll(".picker-chip").length;
    this.root.querySelector("[data-count]").textContent = String(n);
    var none = this.chosen.querySelector("[data-none]");
    if (none) { none.hidden = n > 0; }
  };

  Picker.prototype.now = function (page) {
    var self = this;
    var ask = ++this.asked;
    var query = new URLSearchParams({q: this.search.value, type: this.type.value,
                                     owned: this.owned, page: String(page)});
    fetch(this.url + "?" + query.toString(), {credentials: "same-origin",
                                              headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (ask !== self.asked) { return; } // an older answer, after a newer one
        if (data.error) { self.summary.textContent = data.error; return; }
        self.page = data.page;
        self.draw(data);
      })
      .catch(function () {
        self.summary.textContent = "Could not search just now; use the Search button.";
      });
  };

  Picker.prototype.draw = function (data) {
    var self = this;
    var chosen = this.ids();
    this.results.textContent = "";
    data.items.forEach(function (item) {
      var row = el("li", {"data-id": item.id});
      row.appendChild(el("span", {"class": "picker-name"}, item.label));
      if (item.shared) { row.appendChild(el("span", {"class": "muted"}, " (" + item.shared + ")")); }
      if (chosen[item.id]) {
        row.appendChild(el("span", {"class": "muted"}, " · chosen"));
      } else {
        var add = el("button", {type: "button", "class": "picker-add",
                                "aria-label": "Add " + item.label}, "Add");
        add.addEventListener("click", function () { self.add(item); row.remove(); });
        row.appendChild(add);
      }
      self.results.appendChild(row);
    });
    var total = data.total;
    this.summary.textContent = total
      ? total + " asset" + (total === 1 ? "" : "s") + " match" + (total === 1 ? "es" : "") +
        (data.pages > 1 ? " · page " + data.page + " of " + data.pages : "")
      : "No asset matches.";
    this.pager.textContent = "";
    if (data.page > 1) { this.pager.appendChild(this.pageButton("‹ Previous page", data.page - 1)); }
    if (data.page < data.pages) { this.pager.appendChild(this.pageButton("Next page ›", data.page + 1)); }
  };

  Picker.prototype.pageButton = function (text, page) {
    var self = this;
    var button = el("button", {type: "button", "class": "link"}, text);
    button.addEventListener("click", function () { self.now(page); });
    return button;
  };

  Picker.prototype.add = function (item) {
    var chip = el("li", {"class": "picker-chip", "data-id": item.id});
    chip.appendChild(el("span", {"class": "picker-name"}, item.label));
    if (item.shared) { chip.appendChild(el("span", {"class": "muted"}, " (" + item.shared + ")")); }
    if (this.mode === "set") {
      chip.appendChild(el("input", {type: "hidden", name: "assets", value: item.id}));
    } else if (item.many) {
      var group = el("span", {"class": "picker-roles", role: "group",
                              "aria-label": "Roles on " + item.label});
      item.roles.forEach(function (role, i) {
        var label = el("label");
        var box = el("input", {type: "checkbox", name: "asset_" + item.id, value: role[0]});
        if (i === 0) { box.checked = true; }
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + role[1] + " "));
        group.appendChild(label);
      });
      chip.appendChild(group);
    } else {
      var select = el("select", {name: "asset_" + item.id, "aria-label": "Role on " + item.label});
      item.roles.forEach(function (role) {
        var option = el("option", {value: role[0]}, role[1]);
        if (role[0] === item.default) { option.selected = true; }
        select.appendChild(option);
      });
      chip.appendChild(select);
    }
    chip.appendChild(removeButton(chip, item.label, this));
    this.chosen.appendChild(chip);
    this.count();
  };

  function start() {
    document.querySelectorAll("[data-asset-picker]").forEach(function (root) {
      new Picker(root);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
