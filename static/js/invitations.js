/* Reseller relationship requests: the draft email page. Progressive enhancement only: without
 * this file, "Open in mail app" opens the text as last saved (built by the server) and the
 * "Copy to clipboard" button stays hidden; Done works the same. */
(function () {
  "use strict";

  /* The text of a field (input, textarea) or of a read-only element. */
  function textOf(element) {
    if (!element) {
      return "";
    }
    return element.tagName === "INPUT" || element.tagName === "TEXTAREA"
      ? element.value
      : element.textContent;
  }

  /* As the server's views._mailto: RFC 6068 wants CRLF line breaks, everything encoded. */
  function encode(text) {
    return encodeURIComponent(text.replace(/\r?\n/g, "\r\n"));
  }

  document.querySelectorAll("[data-invitation-email]").forEach(function (root) {
    var subject = document.getElementById(root.getAttribute("data-subject"));
    var body = document.getElementById(root.getAttribute("data-body"));
    var mailto = root.querySelector("[data-mailto]");
    var copy = root.querySelector("[data-copy]");
    var status = root.querySelector("[data-copy-status]");

    /* "Open in mail app" follows the text as the partner edits it; a "Copied" shown before
     * the edit no longer holds. */
    function updateMailto() {
      if (mailto) {
        mailto.href =
          "mailto:?subject=" + encode(textOf(subject)) + "&body=" + encode(textOf(body));
      }
    }
    function edited() {
      updateMailto();
      if (status) {
        status.textContent = "";
      }
    }
    [subject, body].forEach(function (field) {
      if (field && (field.tagName === "INPUT" || field.tagName === "TEXTAREA")) {
        field.addEventListener("input", edited);
      }
    });
    updateMailto();

    /* The live region is announced when its text changes: empty it first, so that a second
     * copy is announced again. */
    function announce(message, ok) {
      status.textContent = "";
      status.classList.toggle("text-success", ok);
      status.classList.toggle("text-danger", !ok);
      window.setTimeout(function () {
        if (ok) {
          var mark = document.createElement("span");
          mark.setAttribute("aria-hidden", "true");
          mark.textContent = "\u2713 ";
          status.appendChild(mark);
        }
        status.appendChild(document.createTextNode(message));
      }, 50);
    }

    if (!copy || !status) {
      return;
    }
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var text = textOf(subject) + "\n\n" + textOf(body);
      var failed = function () {
        announce(root.getAttribute("data-copy-failed-message"), false);
      };
      // Only in secure contexts (HTTPS, localhost); the browser may also refuse.
      if (!navigator.clipboard || !navigator.clipboard.writeText) {
        failed();
        return;
      }
      navigator.clipboard.writeText(text).then(function () {
        announce(root.getAttribute("data-copied-message"), true);
      }, failed);
    });
  });
})();
