"""Publishing from a request is bounded: a frozen broker (SIGSTOP) costs a second or two.

A paused Redis still accepts TCP connections (the kernel does), so only socket timeouts
bound the wait; before them a publish waited until gunicorn killed the request at 30 s.
"""

import time

import pytest

from gccportal import broker
from gccportal.broker import task_publish, task_publish_many
from gccportal.celery import app as celery_app
from gccportal.health import health_report
from notifications.tasks import outbox_sweep_task
from tests.worker import celery_use_broker

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen_broker(own_redis, celery_not_eager):
    celery_use_broker(f"{own_redis.url}/0")
    own_redis.freeze()
    yield own_redis
    own_redis.thaw()


def _timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_publish_to_a_frozen_broker_gives_up_within_two_seconds(
    frozen_broker, settings, monkeypatch
):
    published, took = _timed(lambda: task_publish(outbox_sweep_task))

    assert published is False
    assert took < 2 * settings.CELERY_PUBLISH_TIMEOUT_SECONDS + 0.5

    # And the process leaves the next tasks to the sweep for a while, without waiting
    second, took = _timed(lambda: task_publish(outbox_sweep_task))
    assert second is False
    assert took < 0.1

    # And when the broker wakes and the pause is over, publishing works again
    frozen_broker.thaw()
    monkeypatch.setattr("gccportal.broker._paused_until", time.monotonic() - 1)
    assert task_publish(outbox_sweep_task) is True


def test_healthz_reports_a_frozen_broker_within_its_own_timeout(frozen_broker):
    (healthy, results), took = _timed(health_report)

    assert healthy is False
    assert results["broker"].startswith("unavailable")
    assert results["database"] == "ok"
    assert took < 5


def test_a_slow_broker_gets_the_publishing_deadline_then_a_pause(
    own_redis, celery_not_eager, settings, monkeypatch
):
    # Given a broker that answers, each publish taking 0.6 s
    celery_use_broker(f"{own_redis.url}/0")
    original = outbox_sweep_task.apply_async
    starts = []

    def slow(*args, **kwargs):
        starts.append(time.monotonic())
        time.sleep(0.6)
        return original(*args, **kwargs)

    monkeypatch.setattr(outbox_sweep_task, "apply_async", slow)
    deadline = settings.CELERY_PUBLISH_DEADLINE_SECONDS

    # When one commit publishes ten tasks
    began = time.monotonic()
    published, took = _timed(lambda: task_publish_many(outbox_sweep_task, [()] * 10))

    # Then it stops at the deadline (the sweep dispatches the rest), and pauses: every publish
    # it made began before the deadline, and it stopped once the deadline had passed (about
    # three: 0, 0.6, 1.2 s; fewer on a loaded machine, never all ten)
    assert published == len(starts)
    assert 1 <= published <= 3
    assert all(start - began <= deadline for start in starts)
    assert deadline <= took < deadline + 0.7 + 0.6
    assert task_publish_many(outbox_sweep_task, [()]) == 0


def test_a_filesystem_broker_without_its_folders_is_logged_not_raised(
    celery_not_eager, tmp_path, caplog
):
    # Given the embedded shape's broker whose queue folder does not exist (a fresh var/)
    missing = tmp_path / "broker" / "queue"
    celery_app.conf.broker_transport_options = {
        "data_folder_in": str(missing),
        "data_folder_out": str(missing),
        "control_folder": str(tmp_path / "broker" / "control"),
    }
    celery_use_broker("filesystem://")
    try:
        # When a task is published / Then it is left for the sweep, not raised at the caller
        assert task_publish(outbox_sweep_task) is False
        assert "Broker unavailable" in caplog.text
    finally:
        celery_app.conf.broker_transport_options = {}


def test_publishes_share_the_threads_connection_and_a_restarted_broker_costs_nothing(
    own_redis, celery_not_eager, monkeypatch
):
    # Given a broker, and connections counted as they are opened
    celery_use_broker(f"{own_redis.url}/0")
    opened = []
    original = broker.broker_connection

    def counted(**kwargs):
        opened.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(broker, "broker_connection", counted)

    # When three commits publish, one of them two tasks
    assert task_publish(outbox_sweep_task) is True
    assert task_publish_many(outbox_sweep_task, [(), ()]) == 2
    assert task_publish(outbox_sweep_task) is True

    # Then one connection served them all
    assert len(opened) == 1

    # When the broker restarts between two publishes (the kept connection is broken)
    own_redis.stop()
    own_redis.start()
    published, took = _timed(lambda: task_publish(outbox_sweep_task))

    # Then the publish goes through at once, and nothing is paused
    assert published is True
    assert took < 0.5
    assert broker._paused_until < time.monotonic()

    # When the kept connection fails at once (broken in a way the client does not mend)
    original_apply = outbox_sweep_task.apply_async
    failures = []

    def broken_once(*args, **kwargs):
        if not failures:
            failures.append(kwargs["connection"])
            raise broker.BrokerUnavailable("connection reset by peer")
        return original_apply(*args, **kwargs)

    monkeypatch.setattr(outbox_sweep_task, "apply_async", broken_once)
    opened.clear()

    # Then it is replaced once, on a new connection, and the task is published
    assert task_publish(outbox_sweep_task) is True
    assert len(opened) == 1
    assert broker._paused_until < time.monotonic()
