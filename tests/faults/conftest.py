"""Fault tests: real Redis, PostgreSQL, Celery workers and an SMTP server, broken on purpose.

Each test reports its figures (runs / expected / delivered / lost / duplicated); they are
printed at the end of the run, whether or not the test passed.
"""

from collections import Counter

import pytest

FIGURES: list[tuple[str, dict]] = []


def figures_record(name: str, **figures) -> None:
    FIGURES.append((name, figures))


def email_figures(*, expected_ids: list[str], received_ids: list[str]) -> dict:
    """How the emails the database expected fared at the SMTP server, by Message-ID."""
    expected = set(expected_ids)
    counts = Counter(received_id for received_id in received_ids if received_id in expected)
    return {
        "expected": len(expected),
        "delivered": len(counts),
        "lost": len(expected - set(counts)),
        "duplicated": sum(count - 1 for count in counts.values()),
        "stray": sum(1 for received_id in received_ids if received_id not in expected),
    }


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
