"""Sign-in lockout (django-axes), with a limit per username and another per client address.

Axes compares one failure count with one limit. Here a username is locked after
`AXES_FAILURE_LIMIT` failures from any address, and an address after `AXES_IP_FAILURE_LIMIT`
failures whatever usernames it tried, both within the cool-off (`AXES_COOLOFF_TIME`, counted
from the last failure). `LockoutHandler.get_failures` reports the two counts on the username's
scale, so that axes' one comparison (`failures >= AXES_FAILURE_LIMIT`) locks as soon as either
limit is reached. The address is `gccportal.client_ip.client_ip` (AXES_CLIENT_IP_CALLABLE), the
username lower-cased (`username_of`, AXES_USERNAME_CALLABLE): `Robin@Example.gov` and
`robin@example.gov` count as one.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

from accounts.models import UserManager


def username_of(request, credentials: dict | None = None) -> str | None:
    """The username axes counts: the posted (or authenticated) email, lower-cased."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        value = credentials.get(field)
    else:
        value = getattr(request, "data", request.POST).get(field)
    return UserManager.normalize_email(value) if value else None


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LockoutHandler(AxesDatabaseHandler):
    def failure_counts(self, request, credentials: dict | None = None) -> tuple[int, int]:
        """(failures for the username from any address, failures from the address for any
        username), within the cool-off."""
        attempts = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        by_username = _failures(attempts.filter(username=username)) if username else 0
        by_address = _failures(attempts.filter(ip_address=request.axes_ip_address))
        return by_username, by_address

    def get_failures(self, request, credentials: dict | None = None) -> int:
        by_username, by_address = self.failure_counts(request, credentials)
        username_limit = get_failure_limit(request, credentials)
        # The address's count shifted so that it reaches the username limit exactly when it
        # reaches its own: locked when by_username >= username limit or by_address >= its own.
        return max(by_username, by_address + username_limit - settings.AXES_IP_FAILURE_LIMIT)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """A successful sign-in forgets that username's failures only. (Axes would forget the
        address's too: an attacker could then clear the count of their guesses at other
        accounts by signing in to their own account now and then.)"""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
