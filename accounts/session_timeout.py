"""Session timeouts: signed out after SESSION_IDLE_TIMEOUT_SECONDS without a request, and
SESSION_ABSOLUTE_TIMEOUT_SECONDS after signing in whatever the activity.

Signing in records both times in the session (`session_times_start`, on `user_logged_in`);
`SessionTimeoutMiddleware` checks them on every request of a signed-in user, signs out with a
message on the sign-in page when one has run out, else records the request as activity (at
most once a minute, so that most requests write nothing to the session store). The
page's script (static/js/session-timeout.js, loaded by `{% session_timeout_script %}`) warns
before the end and offers "Stay signed in", which posts to `session_status`; a GET there
reports the time left without counting as activity (other tabs may have been active).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.translation import ngettext

from gccportal.errors import DATABASE_LOST, database_unavailable_response

STARTED_KEY = "_session_started_at"
ACTIVITY_KEY = "_session_last_activity_at"
# Activity is recorded at most this often: a request within it leaves the session unchanged
# (no write to the session store on every request); the idle limit is that much less exact.
ACTIVITY_RECORD_SECONDS = 60


def session_times_start(sender, request, user, **kwargs) -> None:
    """On sign-in (user_logged_in): the session starts now and was active now."""
    now = time.time()
    request.session[STARTED_KEY] = now
    request.session[ACTIVITY_KEY] = now


def session_seconds_left(session, *, now: float | None = None) -> int:
    """Seconds before the session ends: its idle or its absolute limit, the sooner."""
    now = time.time() if now is None else now
    started = session.get(STARTED_KEY, now)
    last = session.get(ACTIVITY_KEY, now)
    ends = min(
        last + settings.SESSION_IDLE_TIMEOUT_SECONDS,
        started + settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS,
    )
    return max(0, round(ends - now))


def session_extendable(session, *, now: float | None = None) -> bool:
    """Whether activity now would take the end out of the warning period: not when the
    absolute limit is that close."""
    now = time.time() if now is None else now
    started = session.get(STARTED_KEY, now)
    absolute_left = started + settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS - now
    return absolute_left > settings.SESSION_TIMEOUT_WARNING_SECONDS + 60


def _ended_message(*, idle: bool) -> str:
    if idle:
        minutes = max(1, round(settings.SESSION_IDLE_TIMEOUT_SECONDS / 60))
        return ngettext(
            "You were signed out after %(count)s minute without activity. Sign in again to "
            "continue.",
            "You were signed out after %(count)s minutes without activity. Sign in again to "
            "continue.",
            minutes,
        ) % {"count": minutes}
    hours = max(1, round(settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS / 3600))
    return ngettext(
        "You were signed out because a session lasts at most %(count)s hour. Sign in again "
        "to continue.",
        "You were signed out because a session lasts at most %(count)s hours. Sign in again "
        "to continue.",
        hours,
    ) % {"count": hours}


class SessionTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        try:
            # Reads the session and the user: the first query of most requests.
            signed_in = request.user.is_authenticated
        except DATABASE_LOST as exc:
            return database_unavailable_response(request, exc)
        if signed_in:
            response = self._check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = time.time()
        started = session.get(STARTED_KEY)
        last = session.get(ACTIVITY_KEY)
        if started is None or last is None:
            # A session from before the timeouts existed: its clock starts now.
            session[STARTED_KEY] = started or now
            session[ACTIVITY_KEY] = now
            return None
        absolute_over = now - started >= settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
        idle_over = now - last >= settings.SESSION_IDLE_TIMEOUT_SECONDS
        status_path = reverse("session_status")
        if absolute_over or idle_over:
            logout(request)
            messages.info(request, _ended_message(idle=not absolute_over))
            if request.path_info == status_path:
                return None  # the view answers the page's script: signed out (401)
            return redirect_to_login(request.get_full_path())
        status_read = request.path_info == status_path and request.method in {"GET", "HEAD"}
        stay_signed_in = request.path_info == status_path and not status_read
        if not status_read and (stay_signed_in or now - last >= ACTIVITY_RECORD_SECONDS):
            session[ACTIVITY_KEY] = now
        return None
