/* The page's small helpers, on top of pages that work without them (issue 21):
 * - the Menu button that opens the Business Center's navigation on narrow screens;
 * - the Business Center switcher closing on Escape (and on a click elsewhere),
 *   focus back on its button;
 * - a Copy button next to every [data-copy] field or code (links, tokens, recovery
 *   codes), saying "Copied";
 * - the focus on a form's error summary when a page comes back with errors.
 * The Content-Security-Policy allows no inline script, hence this file. */
(function () {
  "use strict";

  function menu() {
    var button = document.querySelector(".menu-button");
    var nav = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!button || !nav) return;
    document.documentElement.classList.add("menu-ready");
    button.hidden = false;
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("open", open);
    }
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      set(open);
      if (open) {
        var first = nav.querySelector("a, button");
        if (first) first.focus();
      }
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        set(false);
        button.focus();
      }
    });
  }

  function switcher() {
    document.querySelectorAll("details.switcher").forEach(function (details) {
      var summary = details.querySelector("summary");
      details.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && details.open) {
          event.preventDefault();
          details.open = false;
          summary.focus();
        }
      });
      document.addEventListener("click", function (event) {
        if (details.open && !details.contains(event.target)) details.open = false;
      });
    });
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http (a self-hosted install without TLS): the older way.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    area.remove();
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (source) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy";
      var label = source.getAttribute("data-copy") || "Copy";
      button.textContent = label;
      var said = document.createElement("span");
      said.className = "copy-status";
      said.setAttribute("role", "status");
      button.addEventListener("click", function () {
        var field = source.tagName === "INPUT" || source.tagName === "TEXTAREA";
        var text = field ? source.value : source.innerText;
        copyText(text.trim()).then(function () {
          button.textContent = "Copied";
          said.textContent = "Copied to the clipboard";
        }, function () {
          said.textContent = "Could not copy: select the text and copy it yourself";
        });
        window.setTimeout(function () { button.textContent = label; said.textContent = ""; }, 4000);
      });
      source.insertAdjacentElement("afterend", said);
      source.insertAdjacentElement("afterend", button);
    });
  }

  function tables() {
    // Every table scrolls inside a frame on a narrow screen, not the whole page; a frame
    // that scrolls takes the focus, so a keyboard can scroll it too (and says which table).
    document.querySelectorAll("main table").forEach(function (table) {
      var wrap = table.parentElement;
      if (!wrap.classList.contains("table-wrap")) {
        wrap = document.createElement("div");
        wrap.className = "table-wrap";
        table.parentElement.insertBefore(wrap, table);
        wrap.appendChild(table);
      }
    });
    function mark() {
      document.querySelectorAll(".table-wrap").forEach(function (wrap) {
        var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
        if (scrolls && !wrap.hasAttribute("tabindex")) {
          wrap.setAttribute("tabindex", "0");
          wrap.setAttribute("role", "region");
          var caption = wrap.querySelector("caption");
          var heading = caption ? null : wrap.closest("section, main").querySelector("h1, h2");
          wrap.setAttribute("aria-label", (caption || heading || { textContent: "Table" }).textContent.trim() + " (scrolls sideways)");
        } else if (!scrolls && wrap.getAttribute("role") === "region") {
          wrap.removeAttribute("tabindex");
          wrap.removeAttribute("role");
          wrap.removeAttribute("aria-label");
        }
      });
    }
    mark();
    window.addEventListener("resize", mark);
  }

  function errors() {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); return; }
    var invalid = document.querySelector("[aria-invalid='true']");
    if (invalid) invalid.focus();
  }

  function start() { menu(); switcher(); copyButtons(); tables(); errors(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
