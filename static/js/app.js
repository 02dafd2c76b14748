/* Small behaviours for the pages, bound by data- attributes (no inline script, no hx-on:
   the Content-Security-Policy forbids both).
   - [data-print]: prints the page; with data-print="ID", only that element (.print-target).
   - [data-expand] (a link with hx-get into the row named by aria-controls): expands a row in
     place, and collapses it again on the next click without asking the server.
   - [data-autosubmit] forms without htmx still submit when a select changes.
   - After a swap, the region's status (.js-announce) is read out by screen readers. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // On a phone, a filter panel starts closed unless a filter is on (the results come first).
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.matchMedia("(max-width: 720px)").matches) { return; }
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (panel) {
      if (!panel.querySelector(".filter-summary .badge")) { panel.removeAttribute("open"); }
    });
  });

  document.addEventListener("click", function (event) {
    var printer = event.target.closest("[data-print]");
    if (printer) {
      event.preventDefault();
      var targetId = printer.getAttribute("data-print");
      var target = targetId ? document.getElementById(targetId) : null;
      if (target) {
        document.body.classList.add("print-focus");
        target.classList.add("print-target");
      }
      window.print();
      return;
    }
  });

  window.addEventListener("afterprint", function () {
    document.body.classList.remove("print-focus");
    document.querySelectorAll(".print-target").forEach(function (el) { el.classList.remove("print-target"); });
  });

  function expander(elt) {
    return elt && elt.closest ? elt.closest("[data-expand]") : null;
  }

  // A second click on an expanded row collapses it: cancel the request, empty the row.
  document.addEventListener("htmx:confirm", function (event) {
    var link = expander(event.detail.elt);
    if (!link || link.getAttribute("aria-expanded") !== "true") { return; }
    event.preventDefault();
    var region = document.getElementById(link.getAttribute("aria-controls"));
    if (region) { region.innerHTML = ""; (region.closest(".expand-row") || region).hidden = true; }
    link.setAttribute("aria-expanded", "false");
    var label = link.querySelector(".toggle-label");
    if (label) { label.textContent = link.getAttribute("data-expand-label") || "Why"; }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var link = expander(event.detail.requestConfig && event.detail.requestConfig.elt);
    if (!link) { return; }
    var region = document.getElementById(link.getAttribute("aria-controls"));
    if (region) { (region.closest(".expand-row") || region).hidden = false; }
    link.setAttribute("aria-expanded", "true");
    var label = link.querySelector(".toggle-label");
    if (label) { label.textContent = link.getAttribute("data-collapse-label") || "Hide"; }
  });

  // Filter forms: empty fields stay out of the request, so the pushed URL reads well.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (event.detail.verb !== "get" || !elt.closest || !elt.closest("form[data-autosubmit]")) { return; }
    var params = event.detail.parameters;
    var names = params instanceof FormData ? Array.from(params.keys()) : Object.keys(params);
    names.forEach(function (name) {
      var value = params instanceof FormData ? params.get(name) : params[name];
      if (value === "" || value === null) {
        if (params instanceof FormData) { params.delete(name); } else { delete params[name]; }
      }
    });
  });

  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && !window.htmx) { form.submit(); }
  });
})();
