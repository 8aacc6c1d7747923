"""The outbox against a real SMTP server of the test's own (aiosmtpd): accepted, refused, slow."""

import pytest

from notifications.models import OutboxMessage
from notifications.services import Outcome, email_enqueue, outbox_message_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings, smtp_sink):
    settings.EMAIL_BACKEND = "notifications.backends.EmailBackend"
    settings.EMAIL_HOST = smtp_sink.host
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_TIMEOUT = 1
    settings.EMAIL_DATA_TIMEOUT = 1
    return smtp_sink


def _enqueue(email: str, key: str) -> OutboxMessage:
    [message] = email_enqueue(
        template="emails/partners/validation_submitted",
        recipients=[(email, "en")],
        context={"request": None, "organization": None, "request_path": "/"},
        dedupe_key=key,
    )
    return message


def test_accepted_message_carries_the_rows_message_id(smtp):
    message = _enqueue("dana@partner.example", "smtp-ok")

    assert outbox_message_send(message_id=message.pk) is Outcome.SENT

    assert smtp.message_ids() == [message.message_id]


def test_refused_recipient_fails_at_once(smtp):
    smtp.refuse.add("gone@partner.example")
    message = _enqueue("gone@partner.example", "smtp-refused")

    assert outbox_message_send(message_id=message.pk) is Outcome.FAILED

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert "550" in message.last_error
    assert smtp.message_ids() == []


def test_message_refused_after_data_fails_at_once_not_maybe_sent(smtp):
    # Given a server that reads the message and refuses it (a definite answer)
    smtp.data_reply = "554 5.6.0 Message rejected as spam"
    message = _enqueue("dana@partner.example", "smtp-rejected")

    assert outbox_message_send(message_id=message.pk) is Outcome.FAILED

    message.refresh_from_db()
    assert message.maybe_sent is False
    assert message.last_error.startswith("554 5.6.0 Message rejected")


def test_data_command_refused_is_not_sent_and_retried(smtp):
    # Given a server that refuses the DATA command itself, before any content (a 4xx)
    smtp.data_command_reply = "451 4.3.0 Try again later"
    message = _enqueue("dana@partner.example", "smtp-data-cmd")

    assert outbox_message_send(message_id=message.pk) is Outcome.RETRY

    message.refresh_from_db()
    assert message.maybe_sent is False
    assert smtp.message_ids() == []


def test_a_slow_final_answer_within_the_data_timeout_is_sent(smtp, settings):
    # Given a server slower than EMAIL_TIMEOUT to accept the whole message, within the wait
    # RFC 5321 allows for it (EMAIL_DATA_TIMEOUT)
    settings.EMAIL_DATA_TIMEOUT = 5
    smtp.ack_delay = 1.5
    message = _enqueue("dana@partner.example", "smtp-slow-ok")

    assert outbox_message_send(message_id=message.pk) is Outcome.SENT

    assert smtp.message_ids() == [message.message_id]


def test_no_answer_after_data_is_maybe_sent_not_sent_again_at_once(smtp):
    # Given a server that stores the message but answers after the client's timeout
    smtp.ack_delay = 2.5
    message = _enqueue("dana@partner.example", "smtp-slow")

    # Then the attempt is "maybe sent", and the row waits for its one late retry
    assert outbox_message_send(message_id=message.pk) is Outcome.RETRY
    message.refresh_from_db()
    assert message.maybe_sent is True
    assert message.status == OutboxMessage.Status.PENDING
    assert outbox_message_send(message_id=message.pk) is Outcome.SKIPPED
    assert smtp.message_ids() == [message.message_id]


def test_server_down_is_a_transient_failure(settings):
    settings.EMAIL_BACKEND = "notifications.backends.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 1  # nothing listens
    message = _enqueue("dana@partner.example", "smtp-down")

    assert outbox_message_send(message_id=message.pk) is Outcome.RETRY

    message.refresh_from_db()
    assert message.maybe_sent is False
    assert message.status == OutboxMessage.Status.PENDING
