"""The outbox: rows commit with the change, are sent once, survive failures."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications.models import OutboxMessage
from notifications.services import (
    email_enqueue,
    outbox_message_send,
    outbox_sweep,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATE = "emails/partners/validation_rejected"


@pytest.fixture
def recipient():
    return UserFactory(email="dana@partner.example")


@pytest.fixture
def context(in_review_validation):
    in_review_validation.decision_note = "Missing GSA contract number."
    return {
        "request": in_review_validation,
        "organization": in_review_validation.organization,
        "request_path": "/gcc/validations/1/",
    }


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


def test_sending_twice_sends_once(recipient, context):
    [message] = email_enqueue(
        template=TEMPLATE, recipients=[recipient], context=context, dedupe_key="k4"
    )

    assert outbox_message_send(message_id=message.pk) is True
    assert outbox_message_send(message_id=message.pk) is False

    assert len(mail.outbox) == 1


def test_smtp_failure_keeps_the_row_pending_and_counts_the_attempt(recipient, context, monkeypatch):
    [message] = email_enqueue(
        template=TEMPLATE, recipients=[recipient], context=context, dedupe_key="k5"
    )

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server went away")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)

    # When the mail server fails, the error propagates (Celery retries with backoff)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        outbox_message_send(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.attempts == 1
    assert "mail server went away" in message.last_error

    # When the server is back, the next attempt sends it
    monkeypatch.undo()
    assert outbox_message_send(message_id=message.pk) is True
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 2
    assert message.last_error == ""
    assert len(mail.outbox) == 1


def test_sweep_redispatches_only_old_pending_rows(recipient, context):
    # Given two pending rows whose dispatch was lost, one old and one fresh, and a sent one
    old, fresh, done = (
        email_enqueue(template=TEMPLATE, recipients=[recipient], context=context, dedupe_key=key)[0]
        for key in ("old", "fresh", "done")
    )
    now = timezone.now()
    OutboxMessage.objects.filter(pk__in=[old.pk, done.pk]).update(
        created_at=now - timedelta(hours=1)
    )
    OutboxMessage.objects.filter(pk=done.pk).update(status=OutboxMessage.Status.SENT)

    # When the sweep runs
    dispatched = outbox_sweep(now=now)

    # Then only the old pending one is sent (tasks run inline in tests)
    assert dispatched == 1
    assert OutboxMessage.objects.get(pk=old.pk).status == OutboxMessage.Status.SENT
    assert OutboxMessage.objects.get(pk=fresh.pk).status == OutboxMessage.Status.PENDING
    assert len(mail.outbox) == 1


def test_email_is_rendered_in_the_recipient_language(context):
    french = UserFactory(email="claire@partner.example", language="fr")

    [message] = email_enqueue(
        template=TEMPLATE, recipients=[french], context=context, dedupe_key="k6"
    )

    assert message.language == "fr"
    outbox_message_send(message_id=message.pk)
    assert mail.outbox[0].extra_headers["Content-Language"] == "fr"


def test_tasks_acknowledge_late_and_retry_transient_errors():
    from notifications.tasks import outbox_message_send_task, outbox_sweep_task

    # A worker killed mid-send leaves the message on the broker for another worker.
    assert outbox_message_send_task.acks_late is True
    assert outbox_sweep_task.acks_late is True
    assert smtplib.SMTPException in outbox_message_send_task.autoretry_for
    assert outbox_message_send_task.retry_backoff is True
