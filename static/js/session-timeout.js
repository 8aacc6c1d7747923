/* Session timeout warning. The server signs a user out after a while without activity and
 * after a maximum session length (accounts/session_timeout.py); this script warns a few
 * minutes before, in an alert with a "Stay signed in" button that tells the server the user
 * is still there. Settings and texts come from this script element's data attributes (no
 * inline script: the Content-Security-Policy forbids them). Without it, the server still
 * signs out on time. */
(function () {
  "use strict";

  var script = document.querySelector("script[data-session-timeout]");
  if (!script || !window.fetch) {
    return;
  }
  var statusUrl = script.getAttribute("data-status-url");
  var warningMs = parseInt(script.getAttribute("data-warning-seconds"), 10) * 1000;
  var texts = {
    warning: script.getAttribute("data-text-warning"),
    final: script.getAttribute("data-text-final"),
    stay: script.getAttribute("data-text-stay"),
    failed: script.getAttribute("data-text-failed"),
  };
  /* Relative to this browser's clock: the server's may differ. */
  var deadline = Date.now() + parseInt(script.getAttribute("data-seconds-left"), 10) * 1000;
  var busy = false;
  var alertBox = null;

  function timeOf(ms) {
    return new Date(ms).toLocaleTimeString(document.documentElement.lang || undefined, {
      hour: "numeric",
      minute: "2-digit",
    });
  }

  function csrfToken() {
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  /* GET reports the time left (another tab may have been active); POST extends it. */
  function ask(method) {
    var options = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method === "POST") {
      options.headers["X-CSRFToken"] = csrfToken();
    }
    return fetch(statusUrl, options).then(function (response) {
      if (response.status === 401) {
        return { seconds_left: 0, extendable: false };
      }
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    });
  }

  function hideAlert() {
    if (alertBox) {
      alertBox.remove();
      alertBox = null;
    }
  }

  function showAlert(extendable, message) {
    hideAlert();
    alertBox = document.createElement("div");
    alertBox.className = "alert alert-warning d-flex flex-wrap align-items-center gap-3";
    alertBox.setAttribute("role", "alert");
    alertBox.id = "session-timeout-alert";
    var text = document.createElement("p");
    text.className = "mb-0";
    text.textContent =
      message || (extendable ? texts.warning : texts.final).replace("%(time)s", timeOf(deadline));
    alertBox.appendChild(text);
    var button = null;
    if (extendable && !message) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-dark btn-sm";
      button.textContent = texts.stay;
      button.addEventListener("click", stay);
      alertBox.appendChild(button);
    }
    var main = document.getElementById("main") || document.body;
    main.insertBefore(alertBox, main.firstChild);
    /* Move focus to the button only when it is not in use elsewhere (someone typing). */
    if (button && (!document.activeElement || document.activeElement === document.body)) {
      button.focus();
    }
  }

  function update(status) {
    deadline = Date.now() + status.seconds_left * 1000;
    return status;
  }

  function stay() {
    busy = true;
    ask("POST")
      .then(update)
      .then(function (status) {
        if (status.seconds_left <= 0) {
          window.location.assign(window.location.href);
        } else if (deadline - Date.now() <= warningMs) {
          showAlert(false);
        } else {
          hideAlert();
        }
      })
      .catch(function () {
        showAlert(false, texts.failed);
      })
      .then(function () {
        busy = false;
      });
  }

  function tick() {
    if (busy) {
      return;
    }
    var left = deadline - Date.now();
    if (left > warningMs || (alertBox && left > 0)) {
      return;
    }
    busy = true;
    ask("GET")
      .then(update)
      .then(function (status) {
        if (status.seconds_left <= 0) {
          /* Signed out: the page reloads onto the sign-in page, which says why. */
          window.location.assign(window.location.href);
        } else if (deadline - Date.now() <= warningMs) {
          if (!alertBox) {
            showAlert(status.extendable);
          }
        } else {
          hideAlert();
        }
      })
      .catch(function () {
        /* The server could not be reached: try again on the next tick. */
      })
      .then(function () {
        busy = false;
      });
  }

  window.setInterval(tick, 5000);
  tick();
})();
