"""The outbox in the admin: failed emails with their reason, sent again by a lead (logged)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.urls import reverse

from notifications.models import OutboxMessage
from notifications.services import email_enqueue, outbox_message_send
from tests.factories import ReviewerFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:notifications_outboxmessage_changelist")


def test_lead_sees_failed_emails_with_the_reason(client, lead, failed_message):
    client.force_login(lead)

    response = client.get(CHANGELIST, {"status__exact": "failed"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "gone@partner.example" in page
    assert "No such user" in page
    assert "Send the selected failed emails again" in page


def test_lead_sends_a_failed_email_again_and_it_is_logged(
    client, lead, failed_message, django_capture_on_commit_callbacks
):
    client.force_login(lead)

    # (from the list filtered on failed emails, as a lead finds them)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{CHANGELIST}?status__exact=failed",
            {"action": "resend", "_selected_action": [failed_message.pk]},
            follow=True,
        )

    assert [str(m) for m in response.context["messages"]] == ["1 failed email will be sent again."]
    failed_message.refresh_from_db()
    assert failed_message.status == OutboxMessage.Status.SENT
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [failed_message.message_id]
    entry = LogEntry.objects.get(object_id=str(failed_message.pk))
    assert entry.user == lead
    assert "Sent again" in entry.get_change_message()


def test_a_sent_email_is_not_sent_again(client, lead, django_capture_on_commit_callbacks):
    [message] = email_enqueue(
        template="emails/partners/validation_submitted",
        recipients=[("dana@partner.example", "en")],
        context={"request": None, "organization": None, "request_path": "/"},
        dedupe_key="admin-sent",
    )
    outbox_message_send(message_id=message.pk)
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST, {"action": "resend", "_selected_action": [message.pk]}, follow=True
        )

    assert "has not failed; it was left as it is" in response.content.decode()
    assert len(mail.outbox) == 1
    assert not LogEntry.objects.exists()


def test_reviewer_who_is_not_a_lead_cannot_send_again(client, failed_message):
    reviewer = ReviewerFactory()
    client.force_login(reviewer)

    response = client.post(
        CHANGELIST, {"action": "resend", "_selected_action": [failed_message.pk]}
    )

    assert response.status_code == 403
    failed_message.refresh_from_db()
    assert failed_message.status == OutboxMessage.Status.FAILED
