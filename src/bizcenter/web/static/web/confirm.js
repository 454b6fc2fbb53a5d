/* Destructive actions ask first (docs/ARCHITECTURE.md, "a destructive action").
 *
 * Without JavaScript, a form posted without confirmed=1 gets a confirmation page from
 * the server. With it, a form marked data-confirm="Question?" asks in a <dialog>:
 * focus moves into it (on the Confirm button, so Enter confirms), Escape or Cancel
 * closes it and focus returns to the button that opened it, and Confirm submits the
 * same form with confirmed=1. Optional: data-confirm-detail (what changes),
 * data-confirm-button (the Confirm button's words) and data-confirm-cancel (the other
 * button's, "Keep it" where "Cancel" would be ambiguous). No inline script: CSP forbids it.
 */
(function () {
  "use strict";
  var dialog, title, detail, yes, no, pending = null, opener = null;

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    dialog.setAttribute("aria-describedby", "confirm-dialog-detail");
    title = document.createElement("h2");
    title.id = "confirm-dialog-title";
    detail = document.createElement("p");
    detail.id = "confirm-dialog-detail";
    var actions = document.createElement("div");
    actions.className = "actions";
    yes = document.createElement("button");
    yes.type = "button";
    yes.className = "primary danger";
    yes.setAttribute("data-confirm-yes", "");
    no = document.createElement("button");
    no.type = "button";
    no.textContent = "Cancel";
    no.setAttribute("data-confirm-no", "");
    actions.appendChild(yes);
    actions.appendChild(no);
    dialog.appendChild(title);
    dialog.appendChild(detail);
    dialog.appendChild(actions);
    document.body.appendChild(dialog);
    yes.addEventListener("click", confirmNow);
    no.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () {
      pending = null;
      if (opener && typeof opener.focus === "function") { opener.focus(); }
      opener = null;
    });
  }

  function hidden(form, name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }

  function confirmNow() {
    var job = pending;
    if (!job) { return; }
    pending = null;
    opener = null;
    hidden(job.form, "confirmed", "1");
    if (job.submitter && job.submitter.name) { hidden(job.form, job.submitter.name, job.submitter.value); }
    dialog.close();
    job.form.submit();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) { return; }
    if (form.querySelector("input[name=confirmed]")) { return; }
    if (typeof HTMLDialogElement === "undefined") { return; }  /* the server asks instead */
    event.preventDefault();
    if (!dialog) { build(); }
    var submitter = event.submitter || form.querySelector("[type=submit]");
    title.textContent = form.getAttribute("data-confirm");
    detail.textContent = form.getAttribute("data-confirm-detail") || "";
    detail.hidden = !detail.textContent;
    no.textContent = form.getAttribute("data-confirm-cancel") || "Cancel";
    yes.textContent = form.getAttribute("data-confirm-button") ||
      (submitter && submitter.textContent.trim()) || "Confirm";
    pending = {form: form, submitter: submitter};
    opener = submitter || document.activeElement;
    dialog.showModal();
    yes.focus();
  });
}());
