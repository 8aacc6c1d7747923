"""What went wrong with a delivery, or why an endpoint was disabled: stored as a code and its
detail ("http_status:500"), told in the reader's language when shown (the worker that
records it has no reader, hence no language)."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "http_status": _("The endpoint answered %(detail)s."),
    "redirect": _("Redirects are not followed: register the URL that answers."),
    "no_answer": _("No answer: %(detail)s"),
    "https_required": _("The URL must start with https://."),
    "invalid_url": _("Enter a valid URL."),
    "credentials_in_url": _(
        "Leave user names and passwords out of the URL; verify the signature instead."
    ),
    "private_url": _("The URL must be on a public address, not a private or loopback one."),
    "private_address": _("The host resolves to a private or loopback address; nothing was sent."),
    "unresolvable": _("The host name could not be resolved (%(detail)s)."),
    "endpoint_disabled": _("The endpoint is disabled."),
    "gave_up": _("Gave up after %(detail)s attempts."),
    "not_sent_disabled": _("Not sent: the endpoint was disabled."),
    "worker_gave_up": _("Gave up: sending it stopped the worker %(detail)s times."),
    "disabled_after_failures": _("Disabled after %(detail)s failed attempts in a row."),
    "disabled_by": _("Disabled by %(detail)s."),
}


def problem(code: str, detail: object = "") -> str:
    """The stored form of a problem."""
    assert code in MESSAGES, code
    return f"{code}:{detail}"


def problem_text(stored: str) -> str:
    """A stored problem in the active language ("" for none)."""
    if not stored:
        return ""
    code, separator, detail = stored.partition(":")
    message = MESSAGES.get(code) if separator else None
    return str(message) % {"detail": detail} if message is not None else stored
