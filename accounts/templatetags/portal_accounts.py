from datetime import timedelta

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from accounts.session_timeout import session_seconds_left

register = template.Library()


@register.filter
def whole_minutes(value: timedelta | None) -> int:
    """A duration in minutes, at least 1 (the lockout page's cool-off)."""
    if not value:
        return 0
    return max(1, round(value.total_seconds() / 60))


@register.simple_tag(takes_context=True)
def session_timeout_script(context) -> str:
    """The script that warns before the session ends, for a signed-in user; its settings and
    texts in data attributes (no inline script: the Content-Security-Policy forbids them)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    return format_html(
        '<script src="{}" defer data-session-timeout data-seconds-left="{}" '
        'data-warning-seconds="{}" data-status-url="{}" data-text-warning="{}" '
        'data-text-final="{}" data-text-stay="{}" data-text-failed="{}"></script>',
        static("js/session-timeout.js"),
        session_seconds_left(request.session),
        settings.SESSION_TIMEOUT_WARNING_SECONDS,
        reverse("session_status"),
        _(
            "For your security, you will be signed out at %(time)s because you have not been "
            "active. Unsaved changes would be lost."
        ),
        _(
            "Your session reaches its maximum length: you will be signed out at %(time)s. Save "
            "your work, then sign in again."
        ),
        _("Stay signed in"),
        _("Your session could not be extended. Save your work, then sign in again."),
    )
