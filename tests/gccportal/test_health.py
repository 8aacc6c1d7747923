"""/healthz answers any Host, checks the database and the broker within its own time-out;
the beat heartbeat and the healthcheck command that reads it."""

import json
import time
from unittest import mock

import pytest
from django.db import OperationalError, connections

from gccportal import healthcheck
from gccportal.beat import HeartbeatScheduler, heartbeat_write
from gccportal.celery import app as celery_app
from tests.worker import UNREACHABLE_BROKER, celery_use_broker

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_hosts(settings):
    """Production's host and HTTPS rules, which a container healthcheck does not meet."""
    settings.ALLOWED_HOSTS = ["gccportal.example.gov"]
    settings.SECURE_SSL_REDIRECT = True


@pytest.fixture
def broker_unreachable(settings):
    celery_use_broker(UNREACHABLE_BROKER)
    yield
    celery_use_broker(settings.CELERY_BROKER_URL)


def health(client, host: str = "127.0.0.1:8000"):
    response = client.get("/healthz", HTTP_HOST=host)
    return response.status_code, json.loads(response.content), response


def test_healthz_answers_200_to_a_host_no_deployment_lists(client, production_hosts):
    # when: the container healthcheck asks over plain HTTP with Host 127.0.0.1
    status, body, response = health(client)

    # then: 200, each check named, never cached (and no redirect to HTTPS, no 400)
    assert status == 200
    assert body == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    assert response["Cache-Control"] == "no-store"
    # while every other page still refuses that host
    assert client.get("/", HTTP_HOST="127.0.0.1:8000").status_code == 400


def test_healthz_names_an_unreachable_broker_within_its_time_out(
    client, production_hosts, broker_unreachable
):
    started = time.monotonic()

    status, body, _ = health(client)

    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("unavailable (")
    assert time.monotonic() - started < 5


def test_healthz_names_a_failing_database(client, production_hosts):
    # given: the database refuses connections
    refused = OperationalError("connection refused")
    with mock.patch.object(connections["default"], "cursor", side_effect=refused):
        # when
        status, body, _ = health(client)

    # then
    assert status == 503
    assert body["checks"] == {"database": "unavailable (OperationalError)", "broker": "ok"}


def test_the_beat_scheduler_writes_a_heartbeat_on_every_tick(settings, tmp_path):
    # given: a beat scheduler whose heartbeat file does not exist yet
    settings.BEAT_HEARTBEAT_FILE = str(tmp_path / "beat" / "heartbeat")
    scheduler = HeartbeatScheduler(
        app=celery_app, schedule_filename=str(tmp_path / "schedule"), lazy=True
    )
    scheduler.setup_schedule()

    # when
    before = time.time()
    scheduler.tick()

    # then
    written = float((tmp_path / "beat" / "heartbeat").read_text())
    assert before <= written <= time.time()


@pytest.mark.parametrize(
    ("age_seconds", "exit_code"),
    [(5, 0), (healthcheck.BEAT_MAX_AGE_SECONDS + 60, 1), (None, 1)],
    ids=["fresh", "stale", "missing"],
)
def test_the_beat_healthcheck_passes_only_on_a_recent_heartbeat(
    tmp_path, monkeypatch, capsys, age_seconds, exit_code
):
    # given: a heartbeat written `age_seconds` ago (or never)
    path = tmp_path / "heartbeat"
    if age_seconds is not None:
        heartbeat_write(path, at=time.time() - age_seconds)
    monkeypatch.setenv("BEAT_HEARTBEAT_FILE", str(path))

    # when
    code = healthcheck.main(["beat"])

    # then
    assert code == exit_code
    if exit_code:
        assert str(path) in capsys.readouterr().err
