"""A real Celery worker process for tests (fixtures imported by tests/conftest.py)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from celery.app.trace import build_tracer
from django.conf import settings
from django.db import connection

from gccportal.broker import publish_pause_reset
from gccportal.celery import app as celery_app
from tests.helpers import wait_for

BASE_DIR = Path(settings.BASE_DIR)
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def celery_use_broker(url: str) -> None:
    """Point this process's Celery producer at `url`, dropping pooled connections."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    publish_pause_reset()


class WorkerDied(BaseException):
    """Stands for os._exit or SIGKILL in a test: nothing after it runs in that process (a
    BaseException: Celery's tracer lets it through, as a dead process records nothing)."""


def task_deliver(task, task_id: str, *args, retries: int = 0, **kwargs):
    """Run `task(*args, **kwargs)` here as a worker runs a message the broker delivered
    (not inline: jobs.guard counts it), as delivery `task_id`; returns the trace (`.retval`,
    `.info`). An exception that kills a worker (a BaseException) goes through, as it would."""
    tracer = build_tracer(task.name, task, eager=False, propagate=False, app=celery_app)
    request = {
        "id": task_id,
        "retries": retries,
        "hostname": "celery@test-worker",
        "delivery_info": {},
        "is_eager": False,
    }
    return tracer(task_id, list(args), kwargs, request)


@pytest.fixture
def celery_not_eager():
    """Publish tasks to the broker for real (test settings run them inline by default)."""
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True
    celery_use_broker(settings.CELERY_BROKER_URL)


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def read_sent_emails(folder: Path) -> list[str]:
    """Every message the file email backend wrote into `folder`, as raw text."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        chunks = path.read_text().split("-" * 79)
        messages.extend(chunk for chunk in chunks if "Subject:" in chunk)
    return messages


def worker_start(
    directory: Path, *, pool_args: tuple[str, ...] = ("--pool=solo",), env: dict | None = None
) -> subprocess.Popen:
    """Start a real `celery worker` on the test Redis broker and the test database; return it
    once ready, with `email_dir` (its emails, as files) and `log_path` (its log)."""
    email_dir = directory / "emails"
    email_dir.mkdir()
    log_path = directory / "worker.log"
    celery_use_broker(settings.CELERY_BROKER_URL)
    celery_app.control.purge()  # leftovers of earlier runs
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gccportal.settings.test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(email_dir),
        **(env or {}),
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "gccportal",
                "worker",
                *pool_args,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.email_dir = email_dir
    process.log_path = log_path
    try:
        wait_for(lambda: re.search(r"ready\.", log_path.read_text()) or process.poll() is not None)
        assert process.poll() is None, log_path.read_text()
    except BaseException:
        worker_stop(process)
        raise
    return process


def worker_stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def celery_worker_process(transactional_db, celery_not_eager, tmp_path):
    """A real `celery worker` process (solo pool) on the test Redis broker and the test database.

    Emails go to files in `worker.email_dir` (the worker is another process).
    """
    process = worker_start(tmp_path)
    try:
        yield process
    finally:
        worker_stop(process)


@pytest.fixture
def celery_worker_factory(transactional_db, celery_not_eager, tmp_path):
    """`start(pool_args=..., env=...)`: a real worker with other pool options or settings (e.g.
    the prefork pool, whose children may die and be replaced); stopped after the test."""
    started = []

    def start(*, pool_args: tuple[str, ...] = ("--pool=solo",), env: dict | None = None):
        directory = tmp_path / f"worker-{len(started)}"
        directory.mkdir()
        started.append(worker_start(directory, pool_args=pool_args, env=env))
        return started[-1]

    yield start
    for process in started:
        worker_stop(process)
