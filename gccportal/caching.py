"""No copy of a signed-in user's pages in any cache (the browser's, a proxy's).

Every response to a signed-in user gets `Cache-Control: no-store` (and `private`): the back
button or a shared computer must not show a partner's customers, documents or review queues
after sign-out. Documents carry it themselves (reviews/documents.py). A response that already
says `no-store` is left as it is; public pages (the sign-in page, answer links) keep their
own headers.

Placed after WhiteNoise (static files stay cacheable) and before the session and
authentication middleware, so that it also sees the redirects of the middleware between.
"""

from django.conf import settings
from django.db import Error as DatabaseFailure
from django.utils.cache import patch_cache_control


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    if user is None:
        # Answered before authentication ran (a redirect of CommonMiddleware): a session
        # cookie may be a signed-in user's.
        return settings.SESSION_COOKIE_NAME in request.COOKIES
    try:
        return bool(user.is_authenticated)
    except DatabaseFailure:  # DatabaseError, or InterfaceError for a closed connection
        # The session or the user could not be read: assume the worst.
        return True


def _has_no_store(response) -> bool:
    directives = response.get("Cache-Control", "")
    return "no-store" in (part.strip().lower() for part in directives.split(","))


class NoStoreForSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not _has_no_store(response) and _signed_in(request):
            patch_cache_control(response, no_store=True, private=True)
        return response
