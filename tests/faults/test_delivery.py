"""Emails under faults: Redis stopped or frozen during submissions, workers killed while
sending, refused addresses, a slow mail server. Nothing lost; a duplicate only where the
server may have accepted a message whose record did not commit, and then with the same
Message-ID."""

import os
import random
import signal
import time
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import CustomerValidationRequest
from notifications.models import OutboxMessage
from notifications.services import outbox_sweep
from tests.factories import customer_validation_form_data
from tests.faults.conftest import email_figures, figures_record
from tests.helpers import wait_for
from tests.worker import celery_use_broker

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

SETTLED = [OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED]


@pytest.fixture
def fast_sweep(settings):
    """Rows due a second after their dispatch (the production grace is a minute)."""
    settings.OUTBOX_REDISPATCH_AFTER_SECONDS = 1


def _submit(client, organization, number: int):
    data = customer_validation_form_data(
        organization,
        organization_legal_name=f"Town of Faults {number}",
        government_domain=f"faults{number}.gov",
        idempotency_key=str(uuid.uuid4()),
    )
    started = time.monotonic()
    response = client.post(reverse("customers:validation_create"), data)
    return response, time.monotonic() - started, data["idempotency_key"]


def _sweep_until_settled(rows, *, timeout: float = 60):
    """Run the sweep, as beat would, until every row is sent or failed."""

    def settled():
        outbox_sweep()
        return not rows.exclude(status__in=SETTLED).exists()

    wait_for(settled, timeout=timeout, interval=1.0, what="outbox rows settled")


def _ids(rows) -> list[str]:
    return list(rows.values_list("message_id", flat=True))


def test_redis_stopped_during_20_submissions_every_email_is_sent_once_after(
    client,
    admin_agent,
    gcc_enabled,
    own_redis,
    smtp_sink,
    celery_worker_factory,
    fault_worker_env,
    fast_sweep,
):
    # Given a worker and this web process on a Redis that then stops
    celery_worker_factory(env=fault_worker_env)
    celery_use_broker(f"{own_redis.url}/0")
    client.force_login(admin_agent)
    own_redis.stop()

    # When a partner submits 20 customer validation requests
    results = [_submit(client, gcc_enabled, number) for number in range(20)]

    # Then every submission succeeds, at once
    assert [response.status_code for response, _took, _key in results] == [302] * 20
    assert max(took for _response, took, _key in results) < 3
    assert CustomerValidationRequest.objects.count() == 20
    rows = OutboxMessage.objects.all()
    assert set(rows.values_list("status", flat=True)) == {OutboxMessage.Status.PENDING}

    # When Redis is back, the sweep sends every email, once
    own_redis.start()
    _sweep_until_settled(rows)
    figures = email_figures(expected_ids=_ids(rows), received_ids=smtp_sink.message_ids())
    figures_record("redis stopped during 20 submissions", runs=20, **figures)
    assert figures["lost"] == 0
    assert figures["duplicated"] == 0
    assert figures["expected"] >= 20


def test_redis_frozen_during_5_submissions_each_answers_within_3_seconds_and_is_saved_once(
    client,
    admin_agent,
    gcc_enabled,
    own_redis,
    smtp_sink,
    celery_worker_factory,
    fault_worker_env,
    fast_sweep,
):
    celery_worker_factory(env=fault_worker_env)
    celery_use_broker(f"{own_redis.url}/0")
    client.force_login(admin_agent)
    own_redis.freeze()

    results = [_submit(client, gcc_enabled, number) for number in range(5)]

    took = [round(seconds, 2) for _response, seconds, _key in results]
    assert [response.status_code for response, _took, _key in results] == [302] * 5
    assert max(took) < 3, took
    for _response, _seconds, key in results:
        assert CustomerValidationRequest.objects.filter(idempotency_key=key).count() == 1

    own_redis.thaw()
    rows = OutboxMessage.objects.all()
    _sweep_until_settled(rows)
    figures = email_figures(expected_ids=_ids(rows), received_ids=smtp_sink.message_ids())
    figures_record(
        "redis frozen during 5 submissions", runs=5, slowest_seconds=max(took), **figures
    )
    assert figures["lost"] == 0
    assert figures["duplicated"] == 0


def _rows(count: int, *, prefix: str, address=lambda n: f"user{n}@partner.example"):
    """`count` committed emails whose first dispatch was lost (due now, never published)."""
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            dedupe_key=f"{prefix}:{number}",
            template="emails/partners/validation_submitted",
            to_email=address(number),
            language="en",
            subject=f"Fault test {prefix} {number}",
            body_text="Body",
            created_at=now,
            next_attempt_at=now,
        )
        for number in range(count)
    )
    return OutboxMessage.objects.filter(dedupe_key__startswith=f"{prefix}:")


def _pool_child(worker) -> int | None:
    children = f"/proc/{worker.pid}/task/{worker.pid}/children"
    try:
        pids = open(children).read().split()  # noqa: SIM115 (a one-line /proc read)
    except OSError:
        return None
    return int(pids[0]) if pids else None


def test_worker_killed_20_times_while_sending_loses_nothing(
    own_redis, smtp_sink, celery_worker_factory, fault_worker_env, fast_sweep
):
    # Given a prefork worker (its child is killed, the parent starts another) and a server
    # that takes a moment to acknowledge, so some kills land after it has the message
    worker = celery_worker_factory(
        pool_args=("--pool=prefork", "--concurrency=1"), env=fault_worker_env
    )
    celery_use_broker(f"{own_redis.url}/0")
    smtp_sink.ack_delay = 0.15
    seed = random.randrange(2**32)
    rnd = random.Random(seed)
    rows = _rows(80, prefix="kill")
    outbox_sweep()

    # When the worker process sending them is SIGKILLed at random moments, 20 times
    kills = 0
    while kills < 20 and rows.exclude(status__in=SETTLED).exists():
        time.sleep(rnd.uniform(0.05, 0.5))
        child = _pool_child(worker)
        if child is None:
            continue
        progress = len(smtp_sink.received) + rows.filter(status__in=SETTLED).count()
        os.kill(child, signal.SIGKILL)
        kills += 1

        # (a new child, and some progress, before the next kill; the sweep takes back the
        # claims of the killed children when their lease ends)
        def moved(before=progress):
            outbox_sweep()
            after = len(smtp_sink.received) + rows.filter(status__in=SETTLED).count()
            return _pool_child(worker) is not None and (
                after > before or not rows.exclude(status__in=SETTLED).exists()
            )

        wait_for(moved, timeout=30, interval=0.3, what="progress after a kill")

    # Then every email is sent; a duplicate only for a row that may have been sent before
    # its worker died, and with the row's own Message-ID
    _sweep_until_settled(rows)
    received = smtp_sink.message_ids()
    figures = email_figures(expected_ids=_ids(rows), received_ids=received)
    duplicated_ids = {mid for mid in received if received.count(mid) > 1}
    figures_record("worker SIGKILLed while sending", runs=kills, seed=seed, **figures)
    assert kills == 20
    assert figures["lost"] == 0
    assert figures["stray"] == 0
    assert set(rows.values_list("status", flat=True)) == {OutboxMessage.Status.SENT}
    assert figures["duplicated"] <= kills
    assert all(rows.get(message_id=mid).maybe_sent for mid in duplicated_ids), (
        "a duplicate of a row never marked 'may have been sent'"
    )


def test_1000_refused_rows_do_not_hold_back_a_new_email(
    own_redis, smtp_sink, celery_worker_factory, fault_worker_env, fast_sweep
):
    # Given 1,000 emails to addresses the server refuses (550), their dispatch lost
    celery_worker_factory(env=fault_worker_env)
    celery_use_broker(f"{own_redis.url}/0")
    refused = _rows(1000, prefix="gone", address=lambda n: f"gone{n}@partner.example")
    smtp_sink.refuse.update(refused.values_list("to_email", flat=True))

    # When the sweeps run, each is tried once and fails for good
    _sweep_until_settled(refused, timeout=180)
    assert set(refused.values_list("status", flat=True)) == {OutboxMessage.Status.FAILED}
    assert set(refused.values_list("attempts", flat=True)) == {1}

    # Then a new email whose first dispatch was lost goes out with the next sweep
    fresh = _rows(1, prefix="fresh")
    sweeps = outbox_sweep()
    wait_for(lambda: fresh.filter(status=OutboxMessage.Status.SENT).exists(), timeout=15)
    figures = email_figures(expected_ids=_ids(fresh), received_ids=smtp_sink.message_ids())
    figures_record(
        "1,000 refused rows, then a new email",
        runs=1000,
        refused_failed=refused.filter(status=OutboxMessage.Status.FAILED).count(),
        dispatched_by_one_sweep=sweeps,
        **figures,
    )
    assert sweeps == 1
    assert figures["lost"] == 0


def test_slow_mail_server_duplicates_are_bounded_and_counted(
    own_redis, smtp_sink, celery_worker_factory, fault_worker_env, fast_sweep
):
    # Given a server that stores each message but answers after the client's 1 s timeout
    celery_worker_factory(env=fault_worker_env)
    celery_use_broker(f"{own_redis.url}/0")
    smtp_sink.ack_delay = 1.5
    rows = _rows(5, prefix="slow")

    # When the emails are sent, retried once late ("maybe sent"), and settled
    _sweep_until_settled(rows, timeout=90)

    # Then none is lost; each went out at most twice, always with its own Message-ID; and
    # each row tells the lead it may have been delivered
    received = smtp_sink.message_ids()
    figures = email_figures(expected_ids=_ids(rows), received_ids=received)
    figures_record("slow SMTP server (answers after the timeout)", runs=5, **figures)
    assert figures["lost"] == 0
    assert figures["stray"] == 0
    assert max(received.count(mid) for mid in _ids(rows)) <= 2
    assert figures["duplicated"] <= 5
    for row in rows:
        assert row.status == OutboxMessage.Status.FAILED
        assert "may have been delivered" in row.last_error
