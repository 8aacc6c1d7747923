/* Customer pages: progressive enhancements only. Every page works without this file:
 * the GCC validation code menu and the regulated-data boxes are then always shown, and
 * "What's this?" leads to the help page. */
(function () {
  "use strict";

  /* Show `group` only while the radio named `name` matching `isShown` is checked. */
  function toggleWith(name, group, isShown) {
    var radios = document.querySelectorAll('input[type="radio"][name="' + name + '"]');
    if (!group || !radios.length) {
      return;
    }
    function update() {
      var checked = document.querySelector('input[type="radio"][name="' + name + '"]:checked');
      group.hidden = !(checked && isShown(checked));
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }

  /* Add customer: the GCC validation code menu appears when GCC is chosen. */
  toggleWith(
    "special_qualification",
    document.querySelector("[data-gcc-code-group]"),
    function (radio) {
      return radio.hasAttribute("data-gcc-option");
    }
  );

  /* Add customer: "Next: Subscriptions" (a GCC customer and its first order) with GCC only. */
  toggleWith(
    "special_qualification",
    document.querySelector("[data-gcc-next]"),
    function (radio) {
      return radio.hasAttribute("data-gcc-option");
    }
  );

  /* Customer validation request: the regulated-data boxes are for private organizations. */
  toggleWith(
    "organization_type",
    document.getElementById("regulated-data-group"),
    function (radio) {
      return radio.value === "private_regulated";
    }
  );

  /* Eligibility check: the last questions are for private organizations. */
  toggleWith(
    "customer_kind",
    document.getElementById("private-questions"),
    function (radio) {
      return radio.value === "private";
    }
  );

  /* "What's this?": a native modal dialog. showModal() makes the rest of the page inert and
   * closes on Escape; focus goes to the dialog's title and back to the link on close. */
  document.querySelectorAll("[data-dialog-open]").forEach(function (opener) {
    var dialog = document.getElementById(opener.getAttribute("data-dialog-open"));
    if (!dialog || typeof dialog.showModal !== "function") {
      return; // the link's href (the help page) still works
    }
    opener.addEventListener("click", function (event) {
      event.preventDefault();
      dialog.showModal();
      var title = dialog.querySelector("[tabindex='-1']");
      if (title) {
        title.focus();
      }
    });
    dialog.querySelectorAll("[data-dialog-close]").forEach(function (button) {
      button.addEventListener("click", function () {
        dialog.close();
      });
    });
    // A click on the backdrop (outside the dialog's box) closes it too.
    dialog.addEventListener("click", function (event) {
      var box = dialog.getBoundingClientRect();
      var outside =
        event.clientX < box.left ||
        event.clientX > box.right ||
        event.clientY < box.top ||
        event.clientY > box.bottom;
      if (event.target === dialog && outside) {
        dialog.close();
      }
    });
    // The browser gives the focus back to the link itself when the dialog closes; the
    // "close" event comes a moment later, so it only steps in where the focus was lost
    // (never pulling it back from where a quick Tab or Shift+Tab has already moved it).
    dialog.addEventListener("close", function () {
      var active = document.activeElement;
      if (!active || active === document.body || dialog.contains(active)) {
        opener.focus();
      }
    });
  });

  /* Add customer: the primary domain is checked as it is typed (once the partner leaves the
   * field), with the words the form says on Next and on Submit: a malformed domain, or one
   * that can't be a new customer, with the way forward (a reseller relationship request). */
  document.querySelectorAll("input[data-domain-check]").forEach(function (input) {
    var feedback = document.createElement("div");
    feedback.id = input.id + "_check";
    feedback.className = "invalid-feedback d-block";
    feedback.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", feedback);
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    var lastChecked = null;

    function show(message) {
      // The server's message: text, or its own link to the way forward (escaped there).
      feedback.innerHTML = message;
      var invalid = message !== "";
      input.classList.toggle("is-invalid", invalid);
      if (invalid) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", described.concat(feedback.id).join(" "));
      } else {
        input.removeAttribute("aria-invalid");
        input.setAttribute("aria-describedby", described.join(" "));
      }
      // The page's own (server) error of this field is replaced by the fresh check.
      document.querySelectorAll("[id^='error_'][id$='_" + input.id + "']").forEach(function (el) {
        el.hidden = true;
      });
    }

    function check() {
      var value = input.value.trim();
      if (value === lastChecked) {
        return;
      }
      lastChecked = value;
      if (value === "") {
        show("");
        return;
      }
      var url = input.getAttribute("data-domain-check") + "?domain=" + encodeURIComponent(value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (answer) {
          // No answer (signed out, too many checks): Next and Submit still check.
          if (answer && input.value.trim() === value) {
            show(answer.message);
          }
        })
        .catch(function () {});
    }

    input.addEventListener("change", check);
    input.addEventListener("blur", check);
  });
})();
