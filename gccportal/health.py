"""`/healthz`: 200 when the database and the broker answer, 503 naming the one that did not.

Answered by the first middleware, before `ALLOWED_HOSTS`, the HTTPS redirect, sessions or
CSRF: a container healthcheck calls it as `http://127.0.0.1:<port>/healthz`, a Host no
deployment lists. Each check is bounded (connect and socket timeouts), so the endpoint
answers within a few seconds whatever a dependency does.
"""

import json
import logging
from collections.abc import Callable

from django.db import connections
from django.http import HttpResponse

from gccportal.broker import broker_connection

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
BROKER_TIMEOUT_SECONDS = 2.0


def database_check() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def broker_check() -> None:
    # A fresh connection, every wait bounded (a paused broker accepts and never answers).
    with broker_connection(timeout=BROKER_TIMEOUT_SECONDS) as connection:
        connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        connection.default_channel  # noqa: B018 (opening a channel pings Redis)


CHECKS: dict[str, Callable[[], None]] = {"database": database_check, "broker": broker_check}


def health_report() -> tuple[bool, dict[str, str]]:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure is the answer, not an error of this page
            logger.warning("Health check %s failed: %r", name, exc)
            results[name] = f"unavailable ({type(exc).__name__})"
        else:
            results[name] = "ok"
    return all(value == "ok" for value in results.values()), results


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        healthy, results = health_report()
        body = {"status": "ok" if healthy else "unavailable", "checks": results}
        response = HttpResponse(
            json.dumps(body), content_type="application/json", status=200 if healthy else 503
        )
        response["Cache-Control"] = "no-store"
        return response
