"""Emails under faults: Redis stopped or frozen during submissions, workers killed while
sending, refused addresses, a slow mail server. Nothing lost; a duplicate only where the
server may have accepted a message whose record did not commit, and then with the same
Message-ID."""

import itertools
import os
import random
import signal
import time
import uuid
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.validations.models import CustomerValidationRequest
from notifications.models import OutboxMessage
from notifications.services import outbox_sweep
from tests.factories import customer_validation_form_data
from tests.faults.figures import email_figures, figures_record
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
    """The worker's pool process (prefork, concurrency 1), found by its parent in /proc."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[1]) == worker.pid:  # ppid
            return int(stat.parent.name)
    return None


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
    batches = 0

    def more_emails():
        nonlocal batches
        _rows(20, prefix=f"kill{batches}")
        batches += 1
        outbox_sweep()

    rows = OutboxMessage.objects.filter(dedupe_key__startswith="kill")
    more_emails()

    # When the worker process sending them is SIGKILLed at random moments, 20 times
    kill_times = []
    while len(kill_times) < 20:
        if not rows.exclude(status__in=SETTLED).exists():
            more_emails()  # always something being sent when the kill lands
        time.sleep(rnd.uniform(0.05, 0.5))
        child = _pool_child(worker)
        if child is None:
            continue
        progress = len(smtp_sink.received) + rows.filter(status__in=SETTLED).count()
        os.kill(child, signal.SIGKILL)
        kill_times.append(time.monotonic())

        # (a new child, and some progress, before the next kill; the sweep takes back the
        # claims of the killed children when their lease ends)
        def moved(before=progress):
            outbox_sweep()
            after = len(smtp_sink.received) + rows.filter(status__in=SETTLED).count()
            return _pool_child(worker) is not None and (
                after > before or not rows.exclude(status__in=SETTLED).exists()
            )

        wait_for(moved, timeout=60, interval=0.3, what="progress after a kill")

    # Then every email is sent, once, except where a kill landed after the server had it and
    # before the worker recorded it: then twice, with the row's own Message-ID
    _sweep_until_settled(rows)
    received = smtp_sink.message_ids()
    figures = email_figures(expected_ids=_ids(rows), received_ids=received)
    figures_record("worker SIGKILLed while sending", runs=len(kill_times), seed=seed, **figures)
    assert figures["lost"] == 0
    assert figures["stray"] == 0
    assert set(rows.values_list("status", flat=True)) == {OutboxMessage.Status.SENT}
    for message_id in {mid for mid in received if received.count(mid) > 1}:
        times = sorted(item.at for item in smtp_sink.received if item.message_id == message_id)
        for first, again in itertools.pairwise(times):
            assert any(first <= kill <= again for kill in kill_times), (
                f"{message_id} sent twice without a kill in between"
            )
        assert rows.get(message_id=message_id).maybe_sent


def test_1000_refused_rows_do_not_hold_back_a_new_email(
    own_redis, smtp_sink, celery_worker_factory, fault_worker_env, settings
):
    # Given 1,000 emails to addresses the server refuses (550), their dispatch lost (and a
    # sweep that does not dispatch again what it queued less than 30 s ago: the worker needs
    # a while for 1,000 SMTP conversations)
    settings.OUTBOX_REDISPATCH_AFTER_SECONDS = 30
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
    wait_for(lambda: fresh.filter(status=OutboxMessage.Status.SENT).exists(), timeout=60)
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
