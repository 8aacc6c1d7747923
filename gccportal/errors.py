"""A database that is lost or unreachable during a request: a 503 that says so, not a 500.

A view that fails because PostgreSQL went away (a failover, a killed backend, a full
connection table) cannot know whether what it was saving committed. The page says exactly
that, and how to check; the reviewer decision view answers more precisely itself (it reads
the outcome again on a fresh connection, reviews/admin.py). Rendered without the database
and without context processors, like the 500 page.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

DATABASE_LOST = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_LOST):
            return None
        return database_unavailable_response(request, exception)


def database_unavailable_response(request, exception: Exception) -> HttpResponse:
    """The 503 page for a database lost during `request` (logged). Also for a middleware
    that reads the database before the view (process_exception sees views' errors only)."""
    logger.error(
        "Database unavailable during %s %s", request.method, request.path, exc_info=exception
    )
    content = loader.get_template("503.html").render({})
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
