/* The error summary of a form shown again with errors (templates/includes/form_errors.html):
 * focus moves to it on load, so a screen reader announces it and the keyboard starts there;
 * each of its links moves focus to the field it names (an in-page link alone only scrolls). */
(function () {
  "use strict";

  function fieldLabel(field) {
    return document.querySelector('label[for="' + field.id + '"]') || field;
  }

  function init() {
    var summary = document.querySelector("[data-form-errors]");
    if (!summary) {
      return;
    }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#"]');
      if (!link) {
        return;
      }
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) {
        return;
      }
      event.preventDefault();
      fieldLabel(field).scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
