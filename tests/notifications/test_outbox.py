"""The outbox: rows commit with the change, are sent once, survive failures."""

import re
import smtplib
import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone

from notifications.backends import DeliveryUncertain
from notifications.models import OutboxMessage
from notifications.services import (
    Outcome,
    backoff_seconds,
    email_enqueue,
    outbox_due_ids,
    outbox_message_give_up,
    outbox_message_resend,
    outbox_message_send,
    outbox_sweep,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATE = "emails/partners/validation_rejected"


@pytest.fixture
def recipient():
    return UserFactory(email="dana@partner.example")


def test_enqueue_writes_a_pending_row_and_sends_after_commit(
    recipient, context, django_capture_on_commit_callbacks
):
    # When an email is enqueued inside a transaction
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        [message] = email_enqueue(
            template=TEMPLATE, recipients=[recipient], context=context, dedupe_key="k1"
        )
        # Then nothing is sent before the commit
        assert mail.outbox == []

    # Then after commit it is sent once and marked sent
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 1
    assert [m.to for m in mail.outbox] == [["dana@partner.example"]]
    assert "Missing GSA contract number." in mail.outbox[0].body


def test_rolled_back_transaction_leaves_no_row_and_no_email(
    recipient, context, django_capture_on_commit_callbacks
):
    # When the change that enqueued the email fails
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        email_enqueue(template=TEMPLATE, recipients=[recipient], context=context, dedupe_key="k2")
        raise RuntimeError("the state change failed")

    # Then neither the row nor the email exist
    assert callbacks == []
    assert not OutboxMessage.objects.filter(dedupe_key__startswith="k2").exists()
    assert mail.outbox == []


def test_same_dedupe_key_is_enqueued_once(recipient, context, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = email_enqueue(
            template=TEMPLATE, recipients=[recipient], context=context, dedupe_key="k3"
        )
        second = email_enqueue(
            template=TEMPLATE, recipients=[recipient], context=context, dedupe_key="k3"
        )

    assert len(first) == 1
    assert second == []
    assert OutboxMessage.objects.filter(dedupe_key__startswith="k3").count() == 1
    assert len(mail.outbox) == 1


def test_email_is_rendered_in_the_recipient_language(context):
    french = UserFactory(email="claire@partner.example", language="fr")

    [message] = email_enqueue(
        template=TEMPLATE, recipients=[french], context=context, dedupe_key="k6"
    )

    assert message.language == "fr"
    outbox_message_send(message_id=message.pk)
    assert mail.outbox[0].extra_headers["Content-Language"] == "fr"


def _enqueue(recipient, context, key: str) -> OutboxMessage:
    [message] = email_enqueue(
        template=TEMPLATE, recipients=[recipient], context=context, dedupe_key=key
    )
    return message


def _server_fails_with(monkeypatch, exc: Exception) -> list:
    calls = []

    def send(self, *args, **kwargs):
        calls.append(self.extra_headers["Message-ID"])
        raise exc

    monkeypatch.setattr("django.core.mail.EmailMessage.send", send)
    return calls


def test_every_email_carries_its_rows_stable_message_id(recipient, context):
    message = _enqueue(recipient, context, "mid")

    assert outbox_message_send(message_id=message.pk) is Outcome.SENT

    assert mail.outbox[0].extra_headers["Message-ID"] == message.message_id
    assert re.fullmatch(r"<outbox\.[0-9a-f]{32}@gccportal\.example>", message.message_id)
    other = _enqueue(recipient, context, "mid-2")
    assert other.message_id != message.message_id


def test_sending_twice_sends_once(recipient, context):
    message = _enqueue(recipient, context, "k4")

    assert outbox_message_send(message_id=message.pk) is Outcome.SENT
    assert outbox_message_send(message_id=message.pk) is Outcome.SKIPPED

    assert len(mail.outbox) == 1


def test_transient_failure_is_retried_after_a_backoff_stored_on_the_row(
    recipient, context, monkeypatch, settings
):
    message = _enqueue(recipient, context, "k5")
    _server_fails_with(monkeypatch, smtplib.SMTPServerDisconnected("mail server went away"))
    before = timezone.now()

    # When the mail server fails before taking the message
    assert outbox_message_send(message_id=message.pk) is Outcome.RETRY

    # Then the row waits, its next attempt due after the first backoff (30 s ± 20 %)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.attempts == 1
    assert "mail server went away" in message.last_error
    wait = (message.next_attempt_at - before).total_seconds()
    assert (
        settings.OUTBOX_RETRY_BASE_SECONDS * 0.8 <= wait <= settings.OUTBOX_RETRY_BASE_SECONDS * 1.3
    )

    # And neither the sweep nor a stray task sends it before then
    monkeypatch.undo()
    assert outbox_sweep(now=message.next_attempt_at - timedelta(seconds=1)) == 0
    assert outbox_message_send(message_id=message.pk) is Outcome.SKIPPED
    # And the sweep sends it once it is due
    with time_machine.travel(message.next_attempt_at, tick=False):
        assert outbox_sweep() == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 2
    assert message.last_error == ""
    assert len(mail.outbox) == 1


def test_backoff_doubles_up_to_its_cap(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    waits = [backoff_seconds(attempt) for attempt in range(1, 10)]

    for attempt, wait in enumerate(waits, start=1):
        expected = min(30 * 2 ** (attempt - 1), 3600)
        assert expected * 0.8 <= wait <= expected * 1.2


@pytest.mark.parametrize(
    "refusal",
    [
        smtplib.SMTPRecipientsRefused({"dana@partner.example": (550, b"No such user")}),
        smtplib.SMTPSenderRefused(553, b"Sender not allowed", "no-reply@gccportal.example"),
        smtplib.SMTPDataError(554, b"Message rejected as spam"),
        smtplib.SMTPResponseException(550, b"Relaying denied"),
    ],
    ids=["recipient", "sender", "data-5xx", "5xx"],
)
def test_permanent_refusal_fails_at_once(recipient, context, monkeypatch, refusal):
    message = _enqueue(recipient, context, "refused")
    calls = _server_fails_with(monkeypatch, refusal)

    assert outbox_message_send(message_id=message.pk) is Outcome.FAILED

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.failed_at is not None
    assert message.last_error
    # And no sweep, however late, tries it again
    assert outbox_sweep(now=timezone.now() + timedelta(days=30)) == 0
    assert outbox_message_send(message_id=message.pk) is Outcome.SKIPPED
    assert len(calls) == 1


@pytest.mark.parametrize(
    "transient",
    [
        smtplib.SMTPResponseException(421, b"Service not available, try later"),
        smtplib.SMTPDataError(451, b"Local error in processing"),
        smtplib.SMTPRecipientsRefused({"dana@partner.example": (450, b"Greylisted, try later")}),
        smtplib.SMTPRecipientsRefused({"dana@partner.example": (452, b"Mailbox full")}),
        smtplib.SMTPSenderRefused(451, b"Try again later", "no-reply@gccportal.example"),
        smtplib.SMTPSenderRefused(530, b"5.7.0 Must issue STARTTLS", "no-reply@gccportal.example"),
        smtplib.SMTPAuthenticationError(535, b"Authentication failed"),
        smtplib.SMTPConnectError(554, b"No SMTP service here"),
        ConnectionRefusedError(111, "Connection refused"),
    ],
    ids=[
        "421",
        "data-4xx",
        "rcpt-450-greylisted",
        "rcpt-452-full",
        "sender-451",
        "sender-530 (our configuration)",
        "auth (our configuration)",
        "connect-554 (the server, not this email)",
        "refused-connection",
    ],
)
def test_transient_errors_are_retried(recipient, context, monkeypatch, transient):
    message = _enqueue(recipient, context, "transient")
    _server_fails_with(monkeypatch, transient)

    assert outbox_message_send(message_id=message.pk) is Outcome.RETRY

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.next_attempt_at > timezone.now()


def test_transient_failures_give_up_after_the_cap(recipient, context, monkeypatch, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = _enqueue(recipient, context, "cap")
    calls = _server_fails_with(monkeypatch, smtplib.SMTPServerDisconnected("gone"))

    outcomes = []
    for _attempt in range(5):
        message.refresh_from_db()
        outcomes.append(outbox_message_send(message_id=message.pk, now=message.next_attempt_at))

    assert outcomes == [
        Outcome.RETRY,
        Outcome.RETRY,
        Outcome.FAILED,
        Outcome.SKIPPED,
        Outcome.SKIPPED,
    ]
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == 3
    assert len(calls) == 3


def test_a_claim_left_by_a_dead_worker_is_taken_again_after_its_lease(recipient, context, settings):
    # Given a row claimed by a worker that died during the SMTP call (the claim committed)
    message = _enqueue(recipient, context, "lease")
    claimed_at = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENDING,
        attempts=1,
        next_attempt_at=claimed_at + timedelta(seconds=settings.OUTBOX_SEND_LEASE_SECONDS),
    )

    # Then no one takes it while the lease runs
    assert outbox_message_send(message_id=message.pk, now=claimed_at) is Outcome.SKIPPED
    assert outbox_sweep(now=claimed_at + timedelta(seconds=10)) == 0

    # When the lease is over, the sweep sends it again, with the same Message-ID, marked
    # "may have been sent" (the server may have accepted it before the worker died)
    later = claimed_at + timedelta(seconds=settings.OUTBOX_SEND_LEASE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert outbox_sweep() == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.maybe_sent is True
    assert message.attempts == 2
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [message.message_id]


def test_no_answer_after_data_is_retried_once_late_with_the_same_message_id(
    recipient, context, monkeypatch, settings
):
    message = _enqueue(recipient, context, "uncertain")
    calls = _server_fails_with(monkeypatch, DeliveryUncertain("timed out after DATA"))
    started = timezone.now()

    # When the server takes the message and never confirms
    assert outbox_message_send(message_id=message.pk) is Outcome.RETRY

    # Then it is "maybe sent", and not tried again before the late retry is due — not even
    # by a stray task
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.maybe_sent is True
    wait = (message.next_attempt_at - started).total_seconds()
    assert wait >= settings.OUTBOX_UNCERTAIN_RETRY_SECONDS
    assert outbox_message_send(message_id=message.pk) is Outcome.SKIPPED
    assert outbox_sweep(now=message.next_attempt_at - timedelta(seconds=1)) == 0

    # When the server stays silent the second time, the row fails for a person to check
    with time_machine.travel(message.next_attempt_at, tick=False):
        assert outbox_sweep() == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert "may have been delivered" in message.last_error
    assert calls == [message.message_id, message.message_id]


def test_maybe_sent_retry_is_sent_when_the_server_answers(recipient, context, monkeypatch):
    message = _enqueue(recipient, context, "uncertain-ok")
    _server_fails_with(monkeypatch, DeliveryUncertain("timed out after DATA"))
    outbox_message_send(message_id=message.pk)
    monkeypatch.undo()
    message.refresh_from_db()

    assert outbox_message_send(message_id=message.pk, now=message.next_attempt_at) is Outcome.SENT

    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [message.message_id]


def test_sweep_takes_only_due_rows_most_overdue_first(recipient, context):
    now = timezone.now()
    rows = {key: _enqueue(recipient, context, key) for key in ("a", "b", "c", "d", "e")}
    OutboxMessage.objects.filter(pk=rows["a"].pk).update(next_attempt_at=now - timedelta(minutes=5))
    OutboxMessage.objects.filter(pk=rows["b"].pk).update(next_attempt_at=now - timedelta(minutes=9))
    OutboxMessage.objects.filter(pk=rows["c"].pk).update(next_attempt_at=now + timedelta(minutes=1))
    OutboxMessage.objects.filter(pk=rows["d"].pk).update(
        status=OutboxMessage.Status.FAILED, next_attempt_at=now - timedelta(days=1)
    )
    OutboxMessage.objects.filter(pk=rows["e"].pk).update(
        status=OutboxMessage.Status.SENT, next_attempt_at=now - timedelta(days=1)
    )

    assert outbox_due_ids(now=now) == [rows["b"].pk, rows["a"].pk]


def test_refused_rows_never_crowd_out_a_new_email(recipient, context, monkeypatch):
    # Given more refused emails than one sweep takes, all first dispatches lost
    refused = [
        _enqueue(UserFactory(email=f"gone{i}@partner.example"), context, f"gone{i}")
        for i in range(3)
    ]
    start = timezone.now() + timedelta(minutes=5)
    calls = _server_fails_with(
        monkeypatch, smtplib.SMTPRecipientsRefused({"x": (550, b"No such user")})
    )
    for _sweep in range(2):
        outbox_due_ids_limited = outbox_due_ids(now=start, limit=2)
        for message_id in outbox_due_ids_limited:
            outbox_message_send(message_id=message_id, now=start)
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count() == 3
    assert len(calls) == 3
    monkeypatch.undo()

    # When a new email's first dispatch is lost too
    fresh = _enqueue(recipient, context, "fresh")

    # Then the first sweep after its grace sends it
    later = fresh.next_attempt_at
    assert outbox_due_ids(now=later, limit=2) == [fresh.pk]
    assert outbox_sweep(now=later) == 1
    assert OutboxMessage.objects.get(pk=fresh.pk).status == OutboxMessage.Status.SENT
    assert all(m.to == ["dana@partner.example"] for m in mail.outbox)
    assert {m.pk for m in refused} == set(
        OutboxMessage.objects.filter(status="failed").values_list("pk", flat=True)
    )


def test_sweep_does_not_dispatch_a_row_again_while_its_task_waits(recipient, context, monkeypatch):
    message = _enqueue(recipient, context, "queued")
    dispatched = []
    monkeypatch.setattr(
        "notifications.services.outbox_messages_dispatch",
        lambda *, message_ids, deadline=None: dispatched.extend(message_ids) or len(message_ids),
    )
    due = message.next_attempt_at

    # When the sweep dispatches a due row and the task has not run yet
    assert outbox_sweep(now=due) == 1
    # Then the following sweeps leave it alone until the grace is over again
    assert outbox_sweep(now=due + timedelta(seconds=30)) == 0
    assert dispatched == [message.pk]


def test_give_up_marks_the_row_failed(recipient, context):
    message = _enqueue(recipient, context, "poison")

    outbox_message_give_up(message_id=message.pk, reason="The task stopped its worker 5 times.")

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.last_error == "The task stopped its worker 5 times."
    assert outbox_message_send(message_id=message.pk) is Outcome.SKIPPED


def test_resend_starts_a_failed_row_again_with_the_same_message_id(
    recipient, context, monkeypatch, django_capture_on_commit_callbacks
):
    message = _enqueue(recipient, context, "again")
    _server_fails_with(monkeypatch, smtplib.SMTPRecipientsRefused({"x": (550, b"full")}))
    outbox_message_send(message_id=message.pk)
    monkeypatch.undo()

    with django_capture_on_commit_callbacks(execute=True):
        outbox_message_resend(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 1
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [message.message_id]


def test_tasks_acknowledge_late_have_time_limits_and_no_celery_retries():
    from notifications.tasks import outbox_message_send_task, outbox_sweep_task

    # A worker killed mid-send leaves the message on the broker for another worker.
    assert outbox_message_send_task.acks_late is True
    assert outbox_sweep_task.acks_late is True
    # The row's next_attempt_at is the only schedule: no retry waits in Celery.
    assert not getattr(outbox_message_send_task, "autoretry_for", ())
    # A stuck send is killed before its lease runs out.
    assert outbox_message_send_task.soft_time_limit < outbox_message_send_task.time_limit
    assert outbox_message_send_task.time_limit < django_settings.OUTBOX_SEND_LEASE_SECONDS


@pytest.mark.django_db(transaction=True)
def test_mail_server_is_called_with_no_transaction_or_row_lock_open(recipient, context):
    from django.db import connection

    seen = {}

    def send(self, *args, **kwargs):
        # No transaction open, so no row lock held (PostgreSQL locks live in a transaction),
        # while the claim is already committed for every other session to see.
        seen["in_transaction"] = connection.in_atomic_block

        def look():  # another thread: its own database connection and session
            try:
                seen["status_seen_by_others"] = OutboxMessage.objects.get(
                    to_email=recipient.email
                ).status
            finally:
                connections.close_all()

        other = threading.Thread(target=look)
        other.start()
        other.join()
        return 1

    import django.core.mail

    original = django.core.mail.EmailMessage.send
    django.core.mail.EmailMessage.send = send
    try:
        # Enqueued outside a transaction: dispatched, and sent inline, at once
        message = _enqueue(recipient, context, "nolock")
    finally:
        django.core.mail.EmailMessage.send = original

    assert seen == {"in_transaction": False, "status_seen_by_others": "sending"}
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


def test_a_send_task_that_keeps_killing_its_worker_fails_its_row(recipient, context, settings):
    from jobs.guard import GuardedTask
    from notifications.tasks import outbox_message_send_task

    message = _enqueue(recipient, context, "poison-task")

    assert isinstance(outbox_message_send_task, GuardedTask)
    outbox_message_send_task.on_give_up((message.pk,), {})

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert str(settings.CELERY_TASK_MAX_DELIVERIES) in message.last_error


def test_a_message_that_cannot_be_built_fails_with_the_reason(recipient, context, monkeypatch):
    message = _enqueue(recipient, context, "unencodable")
    _server_fails_with(monkeypatch, UnicodeEncodeError("ascii", "é", 0, 1, "not ascii"))

    assert outbox_message_send(message_id=message.pk) is Outcome.FAILED

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.last_error.startswith("UnicodeEncodeError")
