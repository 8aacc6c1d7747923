"""Session timeouts: idle and absolute, the warning script's data, the status endpoint.

The clock is moved by time-machine (never compared with the wall clock's date)."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD
from tests.html import elements, page_text

pytestmark = pytest.mark.django_db

DASHBOARD = "/"


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def signed_in(client, admin_agent, clock):
    response = client.post(
        reverse("login"), {"username": admin_agent.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    return client


def minutes(count: float) -> dt.timedelta:
    return dt.timedelta(minutes=count)


def signed_out_with(client, response, message: str) -> None:
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={DASHBOARD}"
    login_page = client.get(response.url)
    assert message in page_text(login_page)
    assert "_auth_user_id" not in client.session


def test_activity_within_the_idle_timeout_keeps_the_session(signed_in, clock, settings):
    for _ in range(4):
        clock.shift(dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT_SECONDS - 60))
        assert signed_in.get(DASHBOARD).status_code == 200


def test_requests_within_a_minute_of_the_last_recorded_activity_write_no_session(
    signed_in, clock, settings
):
    # Given activity recorded at sign-in
    signed_in.get(DASHBOARD)
    recorded = signed_in.session["_session_last_activity_at"]

    # When pages are requested during the next 59 seconds
    for _ in range(3):
        clock.shift(dt.timedelta(seconds=19))
        assert signed_in.get(DASHBOARD).status_code == 200

    # Then the session is left as it was (no write per request); a minute later it is not
    assert signed_in.session["_session_last_activity_at"] == recorded
    clock.shift(dt.timedelta(seconds=3))
    signed_in.get(DASHBOARD)
    assert signed_in.session["_session_last_activity_at"] > recorded


def test_signed_out_after_the_idle_timeout(signed_in, clock, settings):
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * 60
    clock.shift(minutes(30))

    response = signed_in.get(DASHBOARD)

    signed_out_with(signed_in, response, "You were signed out after 30 minutes without activity")


def test_signed_out_after_the_absolute_timeout_whatever_the_activity(signed_in, clock, settings):
    assert settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS == 12 * 3600
    for _ in range(12 * 3 - 1):
        clock.shift(minutes(20))
        assert signed_in.get(DASHBOARD).status_code == 200

    clock.shift(minutes(20))  # 12 hours after signing in
    response = signed_in.get(DASHBOARD)

    signed_out_with(
        signed_in, response, "You were signed out because a session lasts at most 12 hours"
    )


def test_timeouts_come_from_settings(signed_in, clock, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 120
    clock.shift(minutes(1))
    assert signed_in.get(DASHBOARD).status_code == 200

    clock.shift(minutes(2))

    signed_out_with(signed_in, signed_in.get(DASHBOARD), "after 2 minutes without activity")


def test_the_status_reports_the_time_left_without_counting_as_activity(signed_in, clock, settings):
    clock.shift(minutes(20))

    status = signed_in.get(reverse("session_status"))

    assert status.json() == {"seconds_left": 10 * 60, "extendable": True}
    assert status["Cache-Control"].startswith("max-age=0") or "no-store" in status["Cache-Control"]
    clock.shift(minutes(10))
    signed_out_with(signed_in, signed_in.get(DASHBOARD), "without activity")


def test_stay_signed_in_posts_activity(signed_in, clock):
    clock.shift(minutes(27))

    status = signed_in.post(reverse("session_status"))

    assert status.json()["seconds_left"] == 30 * 60
    clock.shift(minutes(27))
    assert signed_in.get(DASHBOARD).status_code == 200


def test_the_status_says_when_the_absolute_limit_cannot_be_pushed_back(signed_in, clock):
    for _ in range(12 * 3 - 1):
        clock.shift(minutes(20))
        signed_in.get(DASHBOARD)
    clock.shift(minutes(18))  # 2 minutes before the absolute end

    status = signed_in.post(reverse("session_status"))

    assert status.json() == {"seconds_left": 120, "extendable": False}


def test_the_status_after_the_timeout_signs_out_and_answers_401(signed_in, clock):
    clock.shift(minutes(31))

    status = signed_in.get(reverse("session_status"))

    assert status.status_code == 401
    assert "_auth_user_id" not in signed_in.session
    assert "without activity" in page_text(signed_in.get(reverse("login")))


def test_the_status_post_needs_the_csrf_token(admin_agent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_agent)

    assert client.post(reverse("session_status")).status_code == 403


def test_signed_in_pages_load_the_warning_script_with_its_data(signed_in, clock, settings):
    clock.shift(minutes(5))

    response = signed_in.get(DASHBOARD)

    (script,) = [
        node
        for node in elements(response, tag="script")
        if "data-session-timeout" in dict(node.attributes)
    ]
    data = dict(script.attributes)
    assert data["src"].endswith("js/session-timeout.js")
    assert "defer" in data
    assert data["data-seconds-left"] == str(30 * 60)
    assert data["data-warning-seconds"] == str(settings.SESSION_TIMEOUT_WARNING_SECONDS)
    assert data["data-status-url"] == reverse("session_status")
    assert data["data-text-stay"] == "Stay signed in"
    # No inline script anywhere (the Content-Security-Policy forbids them)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", response.content.decode())


def test_anonymous_pages_have_no_warning_script(client):
    response = client.get(reverse("login"))

    assert "session-timeout.js" not in response.content.decode()


def test_a_database_lost_while_the_session_is_read_is_a_503_not_a_500(signed_in, monkeypatch):
    # Given a signed-in browser, and the database gone when its session is read
    def lost(self):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionStore, "load", lost)

    # When a page is requested
    response = signed_in.get(DASHBOARD)

    # Then the page says the database is unavailable, kept by no cache
    assert response.status_code == 503
    assert response["Cache-Control"] == "no-store"
