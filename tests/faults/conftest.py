"""Fault tests: real Redis, PostgreSQL, Celery workers and an SMTP server, broken on purpose.

Each test reports its figures (runs / expected / delivered / lost / duplicated); they are
printed at the end of the run, whether or not the test passed.
"""

import os

import pytest

from tests.faults.figures import FIGURES


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("fault tests: what happened to the emails and decisions")
    for name, figures in FIGURES:
        line = "  ".join(f"{key}={value}" for key, value in figures.items())
        terminalreporter.write_line(f"{name}: {line}")


@pytest.fixture
def fault_worker_env(own_redis, smtp_sink):
    """Settings of a worker on this test's own Redis, sending through its SMTP server."""
    return {
        "CELERY_BROKER_URL": f"{own_redis.url}/0",
        **smtp_sink.settings,
        "EMAIL_TIMEOUT": "1",
        "EMAIL_DATA_TIMEOUT": "1",
        "OUTBOX_SEND_LEASE_SECONDS": "3",
        "OUTBOX_RETRY_BASE_SECONDS": "1",
        "OUTBOX_UNCERTAIN_RETRY_SECONDS": "2",
    }


UNDER_FAKETIME = "faketime" in os.environ.get("LD_PRELOAD", "")


def pytest_collection_modifyitems(config, items):
    """Under libfaketime (the suite run at a chosen hour), timed waits on sockets and
    conditions do not time out as they should, and these tests are about time-outs, not
    dates: they keep running in `make test` at the real time."""
    if not UNDER_FAKETIME:
        return
    skip = pytest.mark.skip(reason="fault tests measure time-outs, which libfaketime distorts")
    for item in items:
        if "faults" in item.keywords:
            item.add_marker(skip)
