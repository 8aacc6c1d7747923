"""Single-use link tokens are never readable in the outbox admin: leads and reviewers see that
a link was sent, not the link; sending again still sends the real email."""

import smtplib
from urllib.parse import urlsplit

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.urls import reverse

from customers.invitations import services as invitation_services
from customers.invitations.links import acceptance_confirmation_path, invitation_url
from customers.validations import services as validation_services
from customers.validations.links import info_link_path, info_link_read
from customers.validations.models import CustomerValidationRequest
from notifications.models import OutboxMessage
from notifications.redaction import links_redacted
from notifications.services import Outcome, outbox_message_send
from reviews.services import review_start
from tests.factories import customer_validation_answers

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:notifications_outboxmessage_changelist")
MARKER = "[single-use link hidden]"
BASE = "http://127.0.0.1:8000"


def change_url(message: OutboxMessage) -> str:
    return reverse("admin:notifications_outboxmessage_change", args=[message.pk])


def token_of(path: str) -> str:
    return urlsplit(path).path.rstrip("/").rsplit("/", 1)[1]


# -- the redaction -------------------------------------------------------------------------


def test_every_kind_of_single_use_link_loses_its_token_and_other_links_stay(settings):
    answer = info_link_path(request_id=7, nonce="n" * 32)
    confirm = acceptance_confirmation_path(
        invitation_id=3, nonce="m" * 43, answers={"accepted_by_email": "robin@springfield.gov"}
    )
    invitation = invitation_url(invitation_id=3, nonce="m" * 43)
    text = (
        f"Answer here:\n{BASE}{answer}\n"
        f"Confirm ({BASE}{confirm}).\n"
        f"Your personalized link: {invitation}\n"
        f"As a path only: {answer}\n"
        f"Your customers: {BASE}/customers/\n"
    )

    redacted = links_redacted(text)

    for path in (answer, confirm, invitation):
        assert token_of(path) not in redacted.text
    assert redacted.hidden == 4
    assert redacted.text == (
        f"Answer here:\n{BASE}/customer-information/{MARKER}/\n"
        f"Confirm ({BASE}/reseller-relationship/confirm/{MARKER}/).\n"
        f"Your personalized link: {settings.PORTAL_BASE_URL}/reseller-relationship/{MARKER}/\n"
        f"As a path only: /customer-information/{MARKER}/\n"
        f"Your customers: {BASE}/customers/\n"
    )


def test_a_signed_token_outside_a_portal_link_is_hidden_too():
    token = token_of(info_link_path(request_id=7, nonce="n" * 32))

    redacted = links_redacted(
        f"Another host: https://mail.example/r?u={token} and alone: {token}, end."
    )

    assert token not in redacted.text
    assert (
        redacted.text
        == f"Another host: https://mail.example/r?u={MARKER} and alone: {MARKER}, end."
    )
    assert redacted.hidden == 2


def test_text_without_a_single_use_link_is_unchanged():
    text = f"Review it: {BASE}/admin/customers/customervalidationrequest/4/change/ at 10:30."

    assert links_redacted(text).text == text
    assert links_redacted(text).hidden == 0
    assert links_redacted("").text == ""


# -- the admin -----------------------------------------------------------------------------


@pytest.fixture
def answer_link_email(gcc_enabled, admin_agent, reviewer, run) -> tuple[OutboxMessage, str]:
    """The customer contact's email with its single-use answer link, and the link's token."""
    request = validation_services.customer_validation_submit(
        organization=gcc_enabled,
        submitted_by=admin_agent,
        **customer_validation_answers(gcc_enabled),
    )
    review_start(model=CustomerValidationRequest, request_id=request.pk, reviewer=reviewer)
    request = run(
        validation_services.customer_validation_request_info,
        request_id=request.pk,
        reviewer=reviewer,
        message="Send the county charter.",
    )
    message = OutboxMessage.objects.get(
        template="emails/customers/validation_info_requested_customer"
    )
    # The link as sent (signed when the email was made: signing it again here, a second
    # later, would give another token).
    link = next(word for word in message.body_text.split() if "/customer-information/" in word)
    assert info_link_read(token_of(link))[0] == request.pk
    return message, token_of(link)


@pytest.fixture
def confirmation_email(gcc_enabled, sales_agent, run) -> tuple[OutboxMessage, str]:
    """The invitation's acceptance confirmation email, and its link's token."""
    invitation = invitation_services.invitation_create(
        organization=gcc_enabled, created_by=sales_agent
    )
    invitation = invitation_services.invitation_send(
        invitation_id=invitation.pk,
        organization=gcc_enabled,
        actor=sales_agent,
        subject=invitation.subject,
        body=invitation.body,
    )
    run(
        invitation_services.invitation_confirmation_send,
        token=token_of(invitation_services.invitation_link(invitation)),
        answers={
            "company_name": "Springfield County",
            "primary_domain": "springfield.gov",
            "accepted_by_name": "Robin Clerk",
            "accepted_by_email": "robin@springfield.gov",
        },
    )
    message = OutboxMessage.objects.get(template="emails/customers/invitation_confirmation")
    link = next(word for word in message.body_text.split() if "/confirm/" in word)
    return message, token_of(link)


@pytest.fixture
def password_reset_email(client, admin_agent) -> tuple[OutboxMessage, str]:
    """The password reset email (Django's single-use reset link), and its link's token."""
    client.post(reverse("password_reset"), {"email": admin_agent.email})
    client.logout()
    message = OutboxMessage.objects.get(template="emails/accounts/password_reset")
    link = next(word for word in message.body_text.split() if "/reset/" in word)
    return message, token_of(link)


@pytest.fixture(params=["answer_link_email", "confirmation_email", "password_reset_email"])
def link_email(request) -> tuple[OutboxMessage, str]:
    return request.getfixturevalue(request.param)


def test_the_outbox_shows_that_a_link_was_sent_never_the_link(client, lead, link_email):
    message, token = link_email
    client.force_login(lead)
    message.refresh_from_db()

    shown = client.get(change_url(message))
    listed = client.get(CHANGELIST)
    searched = client.get(CHANGELIST, {"q": message.to_email})

    for response in (shown, listed, searched):
        assert response.status_code == 200
        page = response.content.decode()
        assert token not in page
        # (not even the end of the token: the deduplication key may hold part of it)
        assert token[-20:] not in page
        assert message.to_email in page
        assert "1 link sent (hidden here)" in page
    assert MARKER in shown.content.decode()


def test_a_failed_link_email_is_sent_again_with_its_link_and_nothing_shows_it(
    client, lead, answer_link_email, monkeypatch, django_capture_on_commit_callbacks
):
    message, token = answer_link_email
    OutboxMessage.objects.filter(pk=message.pk).update(status="pending", attempts=0, sent_at=None)

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({message.to_email: (550, f"No such user {token}")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert outbox_message_send(message_id=message.pk) is Outcome.FAILED
    monkeypatch.undo()
    mail.outbox.clear()
    client.force_login(lead)

    failed_list = client.get(CHANGELIST, {"status__exact": "failed"})
    with django_capture_on_commit_callbacks(execute=True):
        resent = client.post(
            f"{CHANGELIST}?status__exact=failed",
            {"action": "resend", "_selected_action": [message.pk]},
            follow=True,
        )
    history = client.get(reverse("admin:notifications_outboxmessage_history", args=[message.pk]))

    # then: the real email went, link included; no page showed the token
    assert [m.to for m in mail.outbox] == [[message.to_email]]
    assert token in mail.outbox[0].body
    assert [str(m) for m in resent.context["messages"]] == ["1 failed email will be sent again."]
    for response in (failed_list, resent, history):
        assert response.status_code == 200
        assert token not in response.content.decode()
    assert "No such user" in failed_list.content.decode()
    assert LogEntry.objects.get(object_id=str(message.pk)).user == lead


def test_an_email_without_a_link_shows_its_text_as_it_is(client, lead, failed_message):
    client.force_login(lead)

    shown = client.get(change_url(failed_message))

    page = shown.content.decode()
    assert shown.status_code == 200
    assert MARKER not in page
    assert "link sent (hidden here)" not in page
    assert failed_message.subject in page
