"""The production shape: refuses to start without a secret, passes the deploy checks."""

import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.helpers import environment_without_settings

BASE_DIR = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "gccportal.settings.production",
    "DJANGO_ALLOWED_HOSTS": "gccportal.example.gov",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "PORTAL_BASE_URL": "https://gccportal.example.gov",
    "AWS_STORAGE_BUCKET_NAME": "gccportal-documents",
}


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**environment_without_settings(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env=PRODUCTION_ENV)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_passes_the_deploy_checks():
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}

    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_keeps_database_connections_open():
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}

    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
        env=env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["600", "True"]


def test_production_queries_run_without_parallel_workers():
    """A web request's query in its own process only (the other requests keep the cores)."""
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}

    result = _manage(
        "shell",
        "-c",
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('SHOW max_parallel_workers_per_gather'); print(c.fetchone()[0])",
        env=env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "0"


def _secret_env(**extra) -> dict:
    return {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), **extra}


def _print_settings(expression: str, env: dict) -> subprocess.CompletedProcess:
    return _manage(
        "shell", "-c", f"from django.conf import settings as s; print({expression})", env=env
    )


@pytest.mark.parametrize("value", [None, "", "gccportal.example.gov", "/relative"])
def test_production_refuses_to_start_without_the_portal_address(value):
    # given: PORTAL_BASE_URL unset, empty, without a scheme, or relative
    env = _secret_env()
    del env["PORTAL_BASE_URL"]
    if value is not None:
        env["PORTAL_BASE_URL"] = value

    # when
    result = _manage("check", env=env)

    # then: it does not start, and says which variable to set
    assert result.returncode != 0
    assert "PORTAL_BASE_URL" in result.stderr


def test_an_empty_variable_counts_as_unset():
    # given: DATABASE_URL set but empty (the embedded default then uses SQLite), and an
    # empty secret in production
    local = {"DJANGO_SETTINGS_MODULE": "gccportal.settings.local", "DATABASE_URL": ""}
    production = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}

    # when
    embedded = _print_settings("s.DATABASES['default']['ENGINE']", env=local)
    refused = _manage("check", env=production)

    # then: no KeyError 'ENGINE'; the empty secret is refused by name
    assert embedded.returncode == 0, embedded.stderr
    assert embedded.stdout.split()[-1] == "django.db.backends.sqlite3"
    assert refused.returncode != 0
    assert "Set the DJANGO_SECRET_KEY environment variable" in refused.stderr


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", "http://127.0.0.1:8123"), ("0.0.0.0", "http://127.0.0.1:8123")],  # noqa: S104
)
def test_make_run_links_point_to_its_host_and_port(host, expected):
    # given: the embedded default started as `PORT=8123 make run` (HOST defaults to loopback)
    env = {"DJANGO_SETTINGS_MODULE": "gccportal.settings.local", "HOST": host, "PORT": "8123"}

    # when: the personalized invitation link is built (emails use the same base URL)
    result = _print_settings(
        "s.PORTAL_BASE_URL, __import__('customers.invitations.links').invitations.links"
        ".invitation_url(invitation_id=1, nonce='n')",
        env=env,
    )

    # then
    assert result.returncode == 0, result.stderr
    base_url, link = result.stdout.split()[-2:]
    assert base_url == expected
    assert link.startswith(f"{expected}/reseller-relationship/")


def test_the_embedded_broker_keeps_its_control_folder_under_var():
    env = {"DJANGO_SETTINGS_MODULE": "gccportal.settings.local"}

    result = _print_settings("s.CELERY_BROKER_TRANSPORT_OPTIONS['control_folder']", env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == str(BASE_DIR / "var" / "broker" / "control")
