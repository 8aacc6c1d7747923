"""Reseller relationship requests: the partner's pages (list, draft email, Done, revoke) and
the customer's public acceptance page reached through the personalized link."""

import datetime as dt
from urllib.parse import quote, urlsplit

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from customers.invitations import services
from customers.invitations.links import INVITATION_SALT, invitation_url
from customers.invitations.models import ResellerInvitation
from customers.invitations.views import _mailto
from customers.models import Customer, CustomerRelationship
from notifications.models import OutboxMessage
from partners.models import Membership, Organization
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD as GCC
from reviews.models import AuditEvent
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    OrganizationFactory,
    ResellerInvitationFactory,
    ResellerQualificationFactory,
)
from tests.helpers import agent_of, customer_of, role_refusal, snapshot
from tests.html import attr, element, elements, error_of, messages_of, page_text, text

Status = ResellerInvitation.Status
ACCEPT_ANSWERS = {
    "company_name": "Springfield County",
    "primary_domain": "Springfield.GOV",
    "accepted_by_name": "Robin Clerk",
    "accepted_by_email": "robin@springfield.gov",
}

# -- helpers -------------------------------------------------------------------------------


def path_of(link: str) -> str:
    """The personalized link without PORTAL_BASE_URL, for the test client."""
    return urlsplit(link).path


def link_path(invitation: ResellerInvitation) -> str:
    return path_of(services.invitation_link(invitation))


def detail_url(invitation: ResellerInvitation) -> str:
    return reverse("customers:invitation_detail", args=[invitation.pk])


def revoke_url(invitation: ResellerInvitation) -> str:
    return reverse("customers:invitation_revoke", args=[invitation.pk])


def revoke_confirm_url(invitation: ResellerInvitation) -> str:
    return reverse("customers:invitation_revoke_confirm", args=[invitation.pk])


def send(invitation: ResellerInvitation, user) -> ResellerInvitation:
    return services.invitation_send(
        invitation_id=invitation.pk,
        organization=invitation.organization,
        actor=user,
        subject=invitation.subject,
        body=invitation.body,
    )


def accept(invitation: ResellerInvitation, **overrides):
    return services.invitation_accept(
        token=link_path(invitation).rstrip("/").rsplit("/", 1)[1],
        answers={**ACCEPT_ANSWERS, **overrides},
    )


def confirmation_path(email: str) -> str:
    """The confirmation link mailed to `email` (the newest), without PORTAL_BASE_URL."""
    message = OutboxMessage.objects.filter(
        template="emails/customers/invitation_confirmation", to_email=email
    ).latest("pk")
    link = next(
        word for word in message.body_text.split() if "/reseller-relationship/confirm/" in word
    )
    return urlsplit(link).path


def accept_via_pages(client, invitation: ResellerInvitation, answers: dict | None = None):
    """The customer's two steps: the form (a link is mailed), then the mailed link's Accept."""
    answers = answers or ACCEPT_ANSWERS
    asked = client.post(link_path(invitation), answers)
    assert asked.status_code == 200
    assert text(elements(asked, tag="h1")[0]) == "Check your email"
    confirm = confirmation_path(answers["accepted_by_email"])
    shown = client.get(confirm)
    assert shown.status_code == 200
    return client.post(confirm)


def mailto(subject: str, body: str) -> str:
    def encode(value: str) -> str:
        return quote(value.replace("\n", "\r\n"), safe="!'()*")

    return f"mailto:?subject={encode(subject)}&body={encode(body)}"


def row_of(response, invitation: ResellerInvitation):
    return element(response, id=f"invitation-{invitation.pk}")


def cells(row) -> list[str]:
    return [text(cell) for cell in elements(None, tag="td", within=row)]


def buttons(response, *, within=None) -> list[str]:
    return [text(button) for button in elements(response, tag="button", within=within)]


def revoke_links(response, *, within=None) -> dict[str, str]:
    """The Revoke links (text → href): each leads to the confirmation page."""
    return {
        text(a): attr(a, "href")
        for a in elements(response, tag="a", within=within)
        if text(a).startswith("Revoke")
    }


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def partner(organization) -> Organization:
    organization.legal_name = "Contoso Government Solutions LLC"
    organization.save(update_fields=["legal_name"])
    ResellerQualificationFactory(organization=organization)
    return organization


@pytest.fixture
def draft(partner, sales_agent) -> ResellerInvitation:
    return services.invitation_create(organization=partner, created_by=sales_agent)


@pytest.fixture
def sent(draft, sales_agent) -> ResellerInvitation:
    return send(draft, sales_agent)


@pytest.fixture
def other_draft(other_organization, other_admin_agent) -> ResellerInvitation:
    """Organization B's draft: Done and Revoke would both work on it."""
    other_organization.legal_name = "Secret Partner Inc"
    other_organization.save(update_fields=["legal_name"])
    return services.invitation_create(organization=other_organization, created_by=other_admin_agent)


@pytest.fixture
def sent_other(partner):
    """A second request of the same organization, sent by another Sales agent."""
    agent = MembershipFactory(organization=partner, role=Membership.Role.SALES_AGENT).user
    return send(services.invitation_create(organization=partner, created_by=agent), agent)


# -- anonymous -----------------------------------------------------------------------------

PARTNER_URLS = [
    ("get", "customers:invitation_list", False),
    ("post", "customers:invitation_create", False),
    ("get", "customers:invitation_detail", True),
    ("post", "customers:invitation_detail", True),
    ("post", "customers:invitation_revoke", True),
    ("get", "customers:invitation_revoke_confirm", True),
]


@pytest.mark.parametrize(("method", "url_name", "takes_pk"), PARTNER_URLS)
def test_anonymous_user_is_sent_to_sign_in_from_every_partner_page(
    client, draft, method, url_name, takes_pk
):
    # given: an anonymous visitor and a draft
    url = reverse(url_name, args=[draft.pk] if takes_pk else [])
    before = snapshot()

    # when
    response = getattr(client, method)(
        url, {"subject": "S", "body": draft.body} if method == "post" else {}
    )

    # then: sign-in first, coming back here; nothing happened
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"
    assert snapshot() == before


# -- tenant isolation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url_of"),
    [
        ("get", detail_url),
        ("post", detail_url),
        ("post", revoke_url),
        ("get", revoke_confirm_url),
    ],
    ids=["detail", "done", "revoke", "revoke-confirmation"],
)
def test_guessing_another_organizations_request_id_is_not_found(
    client, admin_agent, other_draft, method, url_of
):
    # given: organization B's draft; A's Admin agent signed in
    client.force_login(admin_agent)
    before = snapshot()

    # when: A opens, sends or revokes it by its ID
    response = getattr(client, method)(
        url_of(other_draft), {"subject": "Hijacked", "body": other_draft.body}
    )

    # then: simply not found; nothing of B's shown, nothing changed
    assert response.status_code == 404
    content = response.content.decode()
    assert "Secret Partner Inc" not in content
    assert other_draft.nonce not in content
    assert snapshot() == before


def test_list_shows_only_the_organizations_own_requests(client, admin_agent, draft, other_draft):
    client.force_login(admin_agent)
    response = client.get(reverse("customers:invitation_list"))
    assert response.status_code == 200
    assert [row.pk for row in response.context["page"].object_list] == [draft.pk]
    assert "Secret Partner Inc" not in response.content.decode()


# -- roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "takes_pk"),
    [
        ("customers:invitation_create", False),
        ("customers:invitation_detail", True),
        ("customers:invitation_revoke", True),
        ("customers:invitation_revoke_confirm", True),
    ],
    ids=["create", "done", "revoke", "revoke-confirmation"],
)
def test_non_gcc_role_gets_403_on_create_done_and_revoke(
    client, draft, non_gcc_user, url_name, takes_pk
):
    # given: a Helpdesk agent or Billing admin of the draft's organization
    user, label = non_gcc_user
    client.force_login(user)
    before = snapshot()

    # when (the confirmation page is a GET)
    method = client.get if url_name.endswith("_confirm") else client.post
    response = method(
        reverse(url_name, args=[draft.pk] if takes_pk else []),
        {"subject": draft.subject, "body": draft.body},
    )

    # then: refused with the reason; nothing created, sent or revoked
    assert response.status_code == 403
    assert role_refusal(label) in page_text(response)
    assert snapshot() == before


def test_non_gcc_role_sees_the_list_and_requests_without_action_buttons(
    client, non_gcc_user, draft, sent_other
):
    # given
    user, _label = non_gcc_user
    client.force_login(user)

    # when
    listed = client.get(reverse("customers:invitation_list"))
    customers = client.get(reverse("customers:customer_list"))
    shown_draft = client.get(detail_url(draft))
    shown_sent = client.get(detail_url(sent_other))

    # then: everything readable, no Request / Done / Revoke anywhere
    for response in (listed, customers, shown_draft, shown_sent):
        assert response.status_code == 200
        assert not [
            b for b in buttons(response) if b in ("Done", "Request a reseller relationship")
        ]
        assert not [b for b in buttons(response) if b.startswith("Revoke")]
        assert revoke_links(response) == {}
    assert elements(shown_draft, id="invitation-email-form") == []
    assert text(element(shown_draft, id="sent-subject")) == draft.subject
    assert text(element(shown_draft, id="draft-read-only")) == (
        "Only Admin agents and Sales agents can send or revoke reseller relationship requests."
    )


# -- Request a reseller relationship: the draft ------------------------------------------------


def test_customers_page_leads_to_requests_and_offers_a_new_one(client, sales_agent, partner):
    client.force_login(sales_agent)
    response = client.get(reverse("customers:customer_list"))
    links = {text(a): attr(a, "href") for a in elements(response, tag="a")}
    assert links["Reseller relationship requests"] == reverse("customers:invitation_list")
    (form,) = [
        f
        for f in elements(response, tag="form")
        if attr(f, "action") == reverse("customers:invitation_create")
    ]
    assert attr(form, "method") == "post"
    assert buttons(None, within=form) == ["Request a reseller relationship"]


def test_request_creates_a_draft_and_opens_its_email_page(client, sales_agent, partner):
    # given
    client.force_login(sales_agent)

    # when
    response = client.post(reverse("customers:invitation_create"))

    # then: one draft, by this agent, for this organization; its page
    invitation = ResellerInvitation.objects.get()
    assert (invitation.status, invitation.organization, invitation.created_by) == (
        Status.DRAFT,
        partner,
        sales_agent,
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(invitation)
    assert AuditEvent.objects.filter(action="invitation_drafted").count() == 1


def test_request_needs_post(client, sales_agent, partner):
    client.force_login(sales_agent)
    response = client.get(reverse("customers:invitation_create"))
    assert response.status_code == 405
    assert ResellerInvitation.objects.count() == 0


def test_draft_page_prefills_the_email_shows_the_link_and_builds_the_mailto(
    client, sales_agent, draft
):
    # given
    client.force_login(sales_agent)
    link = services.invitation_link(draft)

    # when
    response = client.get(detail_url(draft))

    # then: editable subject and message as the service wrote them, holding the link
    assert response.status_code == 200
    assert text(elements(response, tag="h1")[0]) == "Request a reseller relationship"
    assert text(element(response, id="invitation-status")) == "Status: Draft"
    assert attr(element(response, id="id_subject"), "value") == draft.subject
    assert (
        draft.subject == "Contoso Government Solutions LLC asks to become your Microsoft reseller"
    )
    assert response.context["form"]["body"].value() == draft.body
    assert f">\n{escape(draft.body)}</textarea>" in response.content.decode()
    assert link in draft.body
    # the link, read-only, beside it
    shown_link = element(response, id="invitation-link")
    assert (text(shown_link), "readonly" in dict(shown_link.attributes)) == (link, True)
    # "Open in mail app" without JavaScript: the saved text, encoded
    assert attr(element(response, id="invitation-mailto"), "href") == mailto(
        draft.subject, draft.body
    )
    # "Copy to clipboard" needs JavaScript: hidden until invitations.js shows it
    copy = element(response, id="invitation-copy")
    assert ("hidden" in dict(copy.attributes), attr(copy, "type")) == (True, "button")
    assert attr(element(response, id="copy-status"), "aria-live") == "polite"
    assert buttons(response, within=element(response, id="invitation-email-form")) == [
        "Copy to clipboard",
        "Done",
    ]
    assert "/static/js/invitations.js" in response.content.decode()


def test_mailto_encodes_line_breaks_as_crlf_and_reserved_characters_as_javascript_does():
    # As encodeURIComponent (invitations.js): everything but letters, digits and -_.!~*'()
    assert _mailto(subject="A & B? (GCC)", body="Hi,\nsee https://x.example/a?b=c#d") == (
        "mailto:?subject=A%20%26%20B%3F%20(GCC)"
        "&body=Hi%2C%0D%0Asee%20https%3A%2F%2Fx.example%2Fa%3Fb%3Dc%23d"
    )


def test_indirect_reseller_requests_on_behalf_of_its_provider(client, provider_and_reseller):
    # given
    provider, reseller = provider_and_reseller
    agent = agent_of(reseller)
    client.force_login(agent)

    # when
    created = client.post(reverse("customers:invitation_create"))
    invitation = ResellerInvitation.objects.get()
    shown = client.get(created["Location"])
    listed = client.get(reverse("customers:invitation_list"))

    # then: the request, its email and its pages name both
    assert invitation.on_behalf_of == provider
    assert text(element(shown, id="on-behalf-of")) == (
        "This request is made on behalf of your indirect provider, Fabrikam Distribution: the "
        "email and the customer's page name both Northwind Partners and Fabrikam Distribution."
    )
    assert "Northwind Partners, working with its indirect provider Fabrikam Distribution" in (
        invitation.body
    )
    assert text(element(listed, id="on-behalf-of")) == (
        "Your requests are made on behalf of your indirect provider, Fabrikam Distribution: the "
        "email and the customer's page name both."
    )


# -- Done ----------------------------------------------------------------------------------


def test_done_without_the_link_is_refused_next_to_the_message_keeping_the_text(
    client, sales_agent, draft
):
    # given: the agent edited the message and removed the link
    client.force_login(sales_agent)
    link = services.invitation_link(draft)
    edited = "Hello,\n\nPlease accept our request.\n\nSam"
    before = snapshot()

    # when
    response = client.post(detail_url(draft), {"subject": "Our request", "body": edited})

    # then: the page again, the reason next to the message, the edited text kept; still draft
    assert response.status_code == 200
    assert error_of(response, "body") == (
        "The personalized link was removed from the message. The customer needs it to accept: "
        f"put this link back into the message: {link}"
    )
    assert response.context["form"]["body"].value() == edited
    assert f">\n{escape(edited)}</textarea>" in response.content.decode()
    assert attr(element(response, id="id_subject"), "value") == "Our request"
    assert attr(element(response, id="invitation-mailto"), "href") == mailto("Our request", edited)
    summary = element(response, id="form-errors")
    assert text(summary) == (
        "The request wasn't recorded as sent. Each problem is marked below; your text was kept. "
        f"Message: {error_of(response, 'body')}"
    )
    assert [attr(link, "href") for link in elements(response, tag="a", within=summary)] == [
        "#id_body"
    ]
    assert snapshot() == before


def test_done_without_a_subject_or_message_says_what_to_enter(client, sales_agent, draft):
    client.force_login(sales_agent)
    before = snapshot()
    response = client.post(detail_url(draft), {"subject": " ", "body": "  \r\n "})
    assert response.status_code == 200
    assert error_of(response, "subject") == "Enter a subject for the email."
    assert error_of(response, "body") == "Enter the message, with the personalized link in it."
    assert snapshot() == before


def test_done_records_the_edited_email_as_sent_with_its_expiry(
    client, sales_agent, draft, settings
):
    # given: the agent edited both; the link is still in the message
    settings.INVITATION_VALID_DAYS = 30
    client.force_login(sales_agent)
    link = services.invitation_link(draft)
    body = f"Dear Robin,\r\n\r\nPlease accept: {link}\r\n\r\nSam"

    # when
    response = client.post(detail_url(draft), {"subject": "Our request", "body": body})

    # then: back to the same page, which now shows the sent request
    assert response.status_code == 302
    assert response["Location"] == detail_url(draft)
    draft.refresh_from_db()
    assert draft.status == Status.SENT
    assert (draft.subject, draft.body) == ("Our request", body.replace("\r\n", "\n"))
    assert draft.expires_at - draft.sent_at == dt.timedelta(days=30)
    assert AuditEvent.objects.filter(action="invitation_sent", actor=sales_agent).count() == 1

    shown = client.get(detail_url(draft))
    assert messages_of(shown) == [
        "The request is recorded as sent. Its link works for 30 days, once; you'll receive an "
        "email when the customer accepts."
    ]
    assert text(elements(shown, tag="h1")[0]) == f"Reseller relationship request #{draft.pk}"
    assert text(element(shown, id="invitation-status")) == "Status: Sent"
    assert text(element(shown, id="sent-subject")) == "Our request"
    assert f'id="sent-body" lang="en">{escape(draft.body)}</div>' in shown.content.decode()
    assert attr(
        elements(None, tag="time", within=element(shown, id="expires-at"))[0], "datetime"
    ) == (timezone.localtime(draft.expires_at).isoformat())
    assert elements(shown, id="invitation-email-form") == []
    assert buttons(shown, within=element(shown, id="main")) == ["Copy to clipboard"]
    assert revoke_links(shown) == {
        "Revoke this request": f"{revoke_confirm_url(draft)}?next={quote(detail_url(draft))}"
    }
    assert text(element(shown, id="invitation-link")) == link


def test_done_twice_is_a_clear_error_and_changes_nothing(client, sales_agent, sent):
    client.force_login(sales_agent)
    before = snapshot()
    response = client.post(
        detail_url(sent), {"subject": "Again", "body": services.invitation_link(sent)}
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(sent)
    assert messages_of(client.get(detail_url(sent))) == [
        "This request is sent; that action is no longer possible. Nothing was changed."
    ]
    assert snapshot() == before


# -- revoke --------------------------------------------------------------------------------


def test_revoke_a_sent_request_then_its_link_shows_the_withdrawn_page(client, sales_agent, sent):
    # given: a sent request, revoked from the list
    client.force_login(sales_agent)
    list_url = reverse("customers:invitation_list")

    # when
    response = client.post(revoke_url(sent), {"next": list_url})

    # then: back to the list, which says so; the request is revoked once
    assert response.status_code == 302
    assert response["Location"] == list_url
    listed = client.get(list_url)
    assert messages_of(listed) == [f"Request #{sent.pk} was revoked: its link no longer works."]
    assert cells(row_of(listed, sent))[1] == "Revoked"
    sent.refresh_from_db()
    assert (sent.status, sent.revoked_by) == (Status.REVOKED, sales_agent)
    assert AuditEvent.objects.filter(action="invitation_revoked").count() == 1

    # and the customer's link now says the request was withdrawn, nothing else
    client.logout()
    before = snapshot()
    for page in (client.get(link_path(sent)), client.post(link_path(sent), ACCEPT_ANSWERS)):
        assert page.status_code == 410
        assert text(element(page, id="link-problem")) == (
            "This request was withdrawn The partner withdrew this reseller relationship request, "
            "so the link no longer works. If you still want to work with this partner, ask it "
            "for a new request."
        )
        assert "Contoso" not in page.content.decode()
    assert snapshot() == before


def test_revoke_goes_back_to_the_request_and_never_off_site(client, sales_agent, draft):
    client.force_login(sales_agent)
    response = client.post(revoke_url(draft), {"next": "https://evil.example/"})
    assert response["Location"] == detail_url(draft)
    draft.refresh_from_db()
    assert draft.status == Status.REVOKED


def test_revoking_an_accepted_request_is_refused_with_a_message(client, sales_agent, sent):
    # given: the customer accepted
    accept(sent)
    client.force_login(sales_agent)
    before = snapshot()

    # when
    response = client.post(revoke_url(sent))

    # then
    assert response.status_code == 302
    assert messages_of(client.get(response["Location"])) == [
        "This request is accepted; that action is no longer possible. Nothing was changed."
    ]
    assert snapshot() == before


def test_revoke_from_the_list_asks_first_then_posts_and_goes_back(client, sales_agent, sent):
    # given: a sent request; the agent follows Revoke from the list
    client.force_login(sales_agent)
    list_url = reverse("customers:invitation_list")
    before = snapshot()

    # when
    page = client.get(revoke_confirm_url(sent), {"next": list_url})

    # then: a question, saying what can't be undone; nothing changed yet
    assert page.status_code == 200
    assert text(elements(page, tag="h1")[0]) == f"Revoke request #{sent.pk}?"
    assert text(element(page, id="confirm-subject")) == (
        f"Reseller relationship request #{sent.pk} · Status: Sent"
    )
    assert text(element(page, id="confirm-consequence")) == (
        "Its link stops working at once; the customer can no longer accept. A revoked request "
        "can't be reopened; you can create a new one."
    )
    assert snapshot() == before
    # and its form posts the revocation (CSRF-protected), back to the list; Cancel goes back
    (form,) = elements(page, tag="form", within=element(page, id="main"))
    assert (attr(form, "method"), attr(form, "action")) == ("post", revoke_url(sent))
    fields = {attr(i, "name"): attr(i, "value") for i in elements(None, tag="input", within=form)}
    assert fields["next"] == list_url
    assert "csrfmiddlewaretoken" in fields
    assert buttons(None, within=form) == ["Revoke request"]
    (cancel,) = [a for a in elements(None, tag="a", within=form) if text(a) == "Cancel"]
    assert attr(cancel, "href") == list_url

    # when: the agent confirms
    response = client.post(revoke_url(sent), {"next": fields["next"]})

    # then: revoked, back on the list
    assert response["Location"] == list_url
    sent.refresh_from_db()
    assert sent.status == Status.REVOKED


def test_revoke_confirmation_of_a_draft_goes_back_to_it_and_never_off_site(
    client, sales_agent, draft
):
    client.force_login(sales_agent)
    for next_url in ("", "https://evil.example/", "//evil.example/"):
        page = client.get(revoke_confirm_url(draft), {"next": next_url} if next_url else {})
        assert page.status_code == 200
        assert text(element(page, id="confirm-consequence")) == (
            "Its link will never work. A revoked request can't be reopened; you can create a "
            "new one."
        )
        (form,) = elements(page, tag="form", within=element(page, id="main"))
        (next_field,) = [
            i for i in elements(None, tag="input", within=form) if attr(i, "name") == "next"
        ]
        assert attr(next_field, "value") == detail_url(draft)
        (cancel,) = [a for a in elements(None, tag="a", within=form) if text(a) == "Cancel"]
        assert attr(cancel, "href") == detail_url(draft)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_revoke_confirmation_of_a_request_no_longer_open_says_so(client, sales_agent, sent):
    # given: the customer accepted meanwhile
    accept(sent)
    client.force_login(sales_agent)
    before = snapshot()

    # when: the agent follows the Revoke link of a page still open
    response = client.get(revoke_confirm_url(sent))

    # then: back to the request, told why; nothing changed
    assert response.status_code == 302
    assert response["Location"] == detail_url(sent)
    assert messages_of(client.get(response["Location"])) == [
        "This request is accepted; that action is no longer possible. Nothing was changed."
    ]
    assert snapshot() == before


def test_two_requests_lead_to_the_same_draft(client, sales_agent, partner):
    # given: an agent who selects Request a reseller relationship twice
    client.force_login(sales_agent)
    first = client.post(reverse("customers:invitation_create"))
    second = client.post(reverse("customers:invitation_create"))

    # then: both open the one draft
    (draft,) = ResellerInvitation.objects.filter(organization=partner)
    assert first["Location"] == second["Location"] == detail_url(draft)
    assert AuditEvent.objects.filter(action="invitation_drafted").count() == 1


def test_revoke_needs_post(client, sales_agent, draft):
    client.force_login(sales_agent)
    before = snapshot()
    assert client.get(revoke_url(draft)).status_code == 405
    assert snapshot() == before


# -- the list ------------------------------------------------------------------------------


def test_list_shows_each_status_its_dates_the_customer_and_revoke_where_possible(
    client, sales_agent, partner
):
    # given: one request in each state, a sent one past its expiry not swept yet
    now = timezone.now()
    customer = CustomerFactory(company_name="Springfield County", primary_domain="springfield.gov")
    rows = {
        "draft": ResellerInvitationFactory(organization=partner),
        "sent": ResellerInvitationFactory(
            organization=partner,
            status=Status.SENT,
            sent_at=now,
            expires_at=now + dt.timedelta(days=30),
        ),
        "stale": ResellerInvitationFactory(
            organization=partner,
            status=Status.SENT,
            sent_at=now - dt.timedelta(days=31),
            expires_at=now - dt.timedelta(days=1),
        ),
        "accepted": ResellerInvitationFactory(
            organization=partner,
            status=Status.ACCEPTED,
            sent_at=now,
            expires_at=now + dt.timedelta(days=30),
            accepted_at=now,
            customer=customer,
        ),
        "revoked": ResellerInvitationFactory(
            organization=partner, status=Status.REVOKED, revoked_at=now
        ),
    }
    client.force_login(sales_agent)

    # when
    response = client.get(reverse("customers:invitation_list"))

    # then: newest first, each with its status, the customer once accepted
    assert [attr(row, "id") for row in elements(response, tag="tr")[1:]] == [
        f"invitation-{rows[key].pk}" for key in ("revoked", "accepted", "stale", "sent", "draft")
    ]
    statuses = {key: cells(row_of(response, row))[1] for key, row in rows.items()}
    assert statuses == {
        "draft": "Draft",
        "sent": "Sent",
        "stale": "Expired",
        "accepted": "Accepted",
        "revoked": "Revoked",
    }
    accepted = row_of(response, rows["accepted"])
    (customer_link,) = [
        a for a in elements(None, tag="a", within=accepted) if text(a) == "Springfield County"
    ]
    assert attr(customer_link, "href") == reverse("customers:customer_account", args=[customer.pk])
    assert cells(accepted)[5] == "Springfield County springfield.gov"
    assert cells(row_of(response, rows["draft"]))[3:5] == ["— Not applicable", "— Not applicable"]
    revocable = {key: revoke_links(None, within=row_of(response, row)) for key, row in rows.items()}
    back = quote(reverse("customers:invitation_list"))
    assert revocable == {
        "draft": {
            f"Revoke request #{rows['draft'].pk}": (
                f"{revoke_confirm_url(rows['draft'])}?next={back}"
            )
        },
        "sent": {
            f"Revoke request #{rows['sent'].pk}": f"{revoke_confirm_url(rows['sent'])}?next={back}"
        },
        "stale": {},
        "accepted": {},
        "revoked": {},
    }


def test_list_paginates_20_per_page_and_has_an_empty_state(client, sales_agent, partner):
    client.force_login(sales_agent)
    empty = client.get(reverse("customers:invitation_list"))
    assert text(element(empty, id="invitations-empty")).startswith(
        "No reseller relationship request yet."
    )

    ResellerInvitationFactory.create_batch(21, organization=partner)
    first = client.get(reverse("customers:invitation_list"))
    second = client.get(reverse("customers:invitation_list") + "?page=2")
    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 1
    assert "Page 2 of 2" in page_text(second)


def test_list_query_count_does_not_grow_with_rows(client, sales_agent, partner):
    # given: requests in every state, accepted ones with their customer
    def add(count):
        now = timezone.now()
        for index in range(count):
            status = [Status.DRAFT, Status.SENT, Status.ACCEPTED, Status.REVOKED][index % 4]
            ResellerInvitationFactory(
                organization=partner,
                status=status,
                sent_at=now if status != Status.DRAFT else None,
                expires_at=now + dt.timedelta(days=30) if status != Status.DRAFT else None,
                customer=CustomerFactory() if status == Status.ACCEPTED else None,
            )

    client.force_login(sales_agent)
    url = reverse("customers:invitation_list")
    add(3)
    client.get(url)  # warm the session

    # when
    with CaptureQueriesContext(connection) as with_3:
        assert client.get(url).status_code == 200
    add(27)
    with CaptureQueriesContext(connection) as with_30:
        assert client.get(url).status_code == 200

    add(30)
    with CaptureQueriesContext(connection) as with_60:
        assert client.get(url).status_code == 200

    # then: the same queries whatever the rows; the count only for a list longer than its
    # first page (gccportal.views.page_get)
    assert not [q for q in with_3.captured_queries if "COUNT(" in q["sql"]]
    assert len(with_30) == len(with_3) + 1
    assert len(with_60) == len(with_30)


# -- the customer's page: the link ---------------------------------------------------------


@pytest.mark.parametrize(
    "forge",
    [
        lambda i, path: path[:-7] + ("A" if path[-7] != "A" else "B") + path[-6:],
        lambda i, path: path_of(invitation_url(invitation_id=i.pk + 1000, nonce=i.nonce)),
        lambda i, path: path_of(invitation_url(invitation_id=i.pk, nonce="guessed")),
        lambda i, path: reverse(
            "customers:invitation_accept",
            args=[signing.Signer(salt="another-salt").sign_object({"i": i.pk, "n": i.nonce})],
        ),
        lambda i, path: reverse(
            "customers:invitation_accept",
            args=[signing.Signer(salt=INVITATION_SALT).sign_object({"x": i.pk})],
        ),
        lambda i, path: reverse("customers:invitation_accept", args=["not-a-token"]),
    ],
    ids=[
        "tampered-signature",
        "unknown-request",
        "wrong-nonce",
        "other-salt",
        "bad-payload",
        "garbage",
    ],
)
def test_forged_or_tampered_link_is_not_found_and_reveals_nothing(client, sent, forge):
    # given
    path = forge(sent, link_path(sent))
    before = snapshot()

    # when
    shown = client.get(path)
    posted = client.post(path, ACCEPT_ANSWERS)

    # then
    for response in (shown, posted):
        assert response.status_code == 404
        assert text(element(response, id="link-problem")) == (
            "This link isn't valid Check that you copied the whole link from the email. If it "
            "still doesn't work, contact the partner who sent it."
        )
        assert "Contoso" not in response.content.decode()
    assert snapshot() == before


def test_expired_link_says_so_and_changes_nothing(client, sent):
    # given: a sent request past its expiry (the sweep hasn't run)
    sent.expires_at = timezone.now() - dt.timedelta(minutes=1)
    sent.save(update_fields=["expires_at"])
    before = snapshot()

    # when
    shown = client.get(link_path(sent))
    posted = client.post(link_path(sent), ACCEPT_ANSWERS)

    # then
    for response in (shown, posted):
        assert response.status_code == 410
        assert text(element(response, id="link-problem")) == (
            "This link has expired Reseller relationship requests work for a limited time. Ask "
            "the partner who sent you the email for a new one."
        )
        assert "Contoso" not in response.content.decode()
    assert snapshot() == before


def test_swept_expired_link_says_so_too(client, sent):
    sent.expires_at = timezone.now() - dt.timedelta(minutes=1)
    sent.save(update_fields=["expires_at"])
    assert services.invitation_expire_sweep() == 1
    response = client.get(link_path(sent))
    assert response.status_code == 410
    assert text(elements(response, tag="h1")[0]) == "This link has expired"


def test_link_of_a_draft_does_not_work_yet(client, draft):
    before = snapshot()
    response = client.post(link_path(draft), ACCEPT_ANSWERS)
    assert response.status_code == 410
    assert text(elements(response, tag="h1")[0]) == "This link doesn't work yet"
    assert snapshot() == before


def test_used_link_says_so_and_changes_nothing(client, sent):
    # given: accepted once
    accept(sent)
    before = snapshot()

    # when
    shown = client.get(link_path(sent))
    posted = client.post(link_path(sent), {**ACCEPT_ANSWERS, "primary_domain": "other.gov"})

    # then
    for response in (shown, posted):
        assert response.status_code == 410
        assert text(element(response, id="link-problem")) == (
            "This link was already used This reseller relationship request was already "
            "accepted. Each link works once; nothing more is needed. If you didn't accept it, "
            "contact the partner who sent you the email."
        )
    assert snapshot() == before


def test_valid_link_shows_who_asks_what_it_means_and_the_confirm_form(client, sent):
    # given: no one signed in
    # when
    response = client.get(link_path(sent))

    # then
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert text(element(response, id="invitation-context")) == (
        "Contoso Government Solutions LLC asks to become your Microsoft Cloud Solution Provider "
        "reseller."
    )
    assert text(element(response, id="invitation-meaning")) == (
        "What accepting means "
        "Contoso Government Solutions LLC becomes your reseller for Microsoft cloud services, "
        "alongside any partner you already work with. "
        "Contoso Government Solutions LLC can see your customer account (your organization's "
        "name, domain and special qualifications) and place orders for your organization. "
        "Your Government Community Cloud (GCC) qualification stays as it is: nothing to "
        "validate again."
    )
    form = element(response, id="invitation-accept-form")
    assert [attr(i, "name") for i in elements(None, tag="input", within=form)] == [
        "csrfmiddlewaretoken",
        "company_name",
        "primary_domain",
        "accepted_by_name",
        "accepted_by_email",
        "submit",
    ]
    assert attr(elements(None, tag="input", within=form)[-1], "value") == "Continue"
    # the public page: no partner navigation
    assert "Dashboard" not in page_text(response)


def test_valid_link_of_an_indirect_reseller_names_its_provider(client, provider_and_reseller):
    _provider, reseller = provider_and_reseller
    agent = agent_of(reseller)
    invitation = send(services.invitation_create(organization=reseller, created_by=agent), agent)
    response = client.get(link_path(invitation))
    assert text(element(response, id="invitation-context")) == (
        "Northwind Partners, with its indirect provider Fabrikam Distribution, asks to become "
        "your Microsoft Cloud Solution Provider reseller."
    )


# -- the customer's page: accepting --------------------------------------------------------


def test_accepting_adds_the_existing_gcc_customer_to_the_partners_customers(
    client, sales_agent, sent
):
    # given: a GCC customer in the portal, managed by another partner
    customer = customer_of(
        gcc=True, company_name="Springfield County", primary_domain="springfield.gov"
    )
    qualification = customer.qualifications.get()
    CustomerRelationship.objects.create(organization=OrganizationFactory(), customer=customer)

    # when: its administrator accepts, typing the domain in capitals
    response = accept_via_pages(client, sent)

    # then: the result page
    assert response.status_code == 200
    assert text(element(response, id="invitation-result")) == (
        "Contoso Government Solutions LLC is now your reseller."
    )
    # the request is accepted, matched to the existing customer, nothing duplicated
    sent.refresh_from_db()
    assert (sent.status, sent.customer, sent.accepted_by_name, sent.accepted_by_email) == (
        Status.ACCEPTED,
        customer,
        "Robin Clerk",
        "robin@springfield.gov",
    )
    assert Customer.objects.count() == 1
    assert list(customer.qualifications.values_list("pk", "qualification")) == [
        (qualification.pk, GCC)
    ]
    assert CustomerRelationship.objects.filter(customer=customer).count() == 2
    # the partner sees it on its Customers page, with its GCC qualification
    client.force_login(sales_agent)
    listed = client.get(reverse("customers:customer_list"))
    assert [c.pk for c in listed.context["page"].object_list] == [customer.pk]
    row = elements(listed, tag="tr")[1]
    assert cells(row) == [
        "Springfield County",
        "springfield.gov",
        "Government Community Cloud (GCC)",
    ]
    # the partner is told by email; audit events on both sides
    (email,) = OutboxMessage.objects.filter(template="emails/customers/invitation_accepted")
    assert (email.to_email, email.subject) == (
        sales_agent.email,
        "Springfield County accepted your reseller relationship request",
    )
    assert list(
        AuditEvent.objects.filter(action__in=["invitation_accepted", "relationship_created"])
        .order_by("pk")
        .values_list("action", "actor")
    ) == [("invitation_accepted", None), ("relationship_created", None)]


def test_accepting_for_a_customer_new_to_the_portal_creates_it(client, sent):
    response = accept_via_pages(client, sent)
    assert response.status_code == 200
    customer = Customer.objects.get()
    assert (customer.company_name, customer.primary_domain) == (
        "Springfield County",
        "springfield.gov",
    )
    assert list(customer.relationships.values_list("organization", flat=True)) == [
        sent.organization_id
    ]
    assert customer.qualifications.count() == 0


def test_accepting_when_already_the_reseller_says_so_and_duplicates_nothing(client, partner, sent):
    # given: the partner already manages the GCC customer
    customer = customer_of(gcc=True, primary_domain="springfield.gov")
    CustomerRelationship.objects.create(organization=partner, customer=customer)

    # when
    response = accept_via_pages(client, sent)

    # then
    assert response.status_code == 200
    assert text(elements(response, tag="h1")[0]) == "Nothing changed"
    assert text(element(response, id="invitation-result")) == (
        "Contoso Government Solutions LLC already is your reseller; nothing changed."
    )
    assert CustomerRelationship.objects.filter(customer=customer).count() == 1
    assert not AuditEvent.objects.filter(action="relationship_created").exists()
    (email,) = OutboxMessage.objects.filter(template="emails/customers/invitation_accepted")
    assert email.subject == (
        f"{customer.company_name} opened your invitation: you already are its reseller"
    )


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        (
            {"primary_domain": "https://springfield.gov/"},
            "primary_domain",
            "Enter a domain name such as contoso.gov: letters, digits and hyphens, with at least "
            "one dot, and no http://, @, slash or space.",
        ),
        ({"company_name": ""}, "company_name", "Enter your organization's name."),
        (
            {"accepted_by_email": "robin"},
            "accepted_by_email",
            "Enter an email address such as it.admin@contoso.gov.",
        ),
        ({"accepted_by_name": ""}, "accepted_by_name", "Enter your first and last name."),
    ],
    ids=["domain", "name", "email", "who"],
)
def test_accept_form_says_what_to_enter_and_changes_nothing(client, sent, answers, field, message):
    before = snapshot()
    response = client.post(link_path(sent), {**ACCEPT_ANSWERS, **answers})
    assert response.status_code == 200
    assert error_of(response, field) == message
    assert attr(element(response, id="id_accepted_by_name"), "value") == (
        answers.get("accepted_by_name", "Robin Clerk") or None
    )
    assert snapshot() == before


# -- the customer's page: proving the mailbox --------------------------------------------


def test_nothing_is_accepted_until_the_mailed_link_is_confirmed(client, sent):
    # When the form is sent
    response = client.post(link_path(sent), ACCEPT_ANSWERS)

    # Then only a confirmation email leaves, to the address given; nothing is accepted yet
    assert text(element(response, id="check-email")).startswith(
        "We sent a confirmation link to robin@springfield.gov."
    )
    sent.refresh_from_db()
    assert sent.status == Status.SENT
    assert not Customer.objects.exists()
    assert not CustomerRelationship.objects.exists()
    (email,) = OutboxMessage.objects.filter(template="emails/customers/invitation_confirmation")
    assert email.to_email == "robin@springfield.gov"

    # And opening the mailed link only shows the Accept button
    shown = client.get(confirmation_path("robin@springfield.gov"))
    assert text(element(shown, id="confirm-summary")) == (
        "Contoso Government Solutions LLC becomes the Microsoft reseller of Springfield County "
        "(springfield.gov)."
    )
    sent.refresh_from_db()
    assert sent.status == Status.SENT


def test_an_email_outside_the_confirmed_domain_is_refused(client, sent):
    # Whoever holds the link (the partner too) can't claim a domain without its mailbox
    response = client.post(
        link_path(sent), {**ACCEPT_ANSWERS, "accepted_by_email": "someone@partner.example"}
    )

    assert response.status_code == 200
    assert [text(e) for e in elements(response, id="error_1_id_accepted_by_email")] == [
        "Enter your work email address at springfield.gov: we send the confirmation link there."
    ]
    assert not OutboxMessage.objects.filter(
        template="emails/customers/invitation_confirmation"
    ).exists()
    sent.refresh_from_db()
    assert sent.status == Status.SENT


def test_a_mailbox_at_a_subdomain_does_not_prove_the_customers_domain(client, sent):
    # Given a customer of another partner in the portal, at springfield.gov
    other = customer_of(primary_domain="springfield.gov")

    # When whoever holds the link confirms with a mailbox at a subdomain of it
    response = client.post(
        link_path(sent),
        {**ACCEPT_ANSWERS, "accepted_by_email": "mallory@mail.springfield.gov"},
    )

    # Then it is refused next to the email: only a mailbox at springfield.gov itself proves it
    assert response.status_code == 200
    assert [text(e) for e in elements(response, id="error_1_id_accepted_by_email")] == [
        "Enter your work email address at springfield.gov: we send the confirmation link there."
    ]
    # and nothing is mailed, the customer is not joined
    assert not OutboxMessage.objects.filter(
        template="emails/customers/invitation_confirmation"
    ).exists()
    assert list(other.relationships.values_list("organization", flat=True)) == []


def test_a_tampered_confirmation_link_is_not_valid(client, sent):
    client.post(link_path(sent), ACCEPT_ANSWERS)
    confirm = confirmation_path("robin@springfield.gov")
    tampered = confirm[:-3] + ("x" if confirm[-3] != "x" else "y") + confirm[-2:]

    assert client.post(tampered).status_code == 404
    sent.refresh_from_db()
    assert sent.status == Status.SENT
    assert not CustomerRelationship.objects.exists()


def test_an_expired_confirmation_link_changes_nothing(client, sent, settings):
    client.post(link_path(sent), ACCEPT_ANSWERS)
    settings.INVITATION_CONFIRMATION_MAX_AGE_SECONDS = -1

    response = client.post(confirmation_path("robin@springfield.gov"))

    assert response.status_code == 410
    assert text(elements(response, tag="h1")[0]) == "This confirmation link has expired"
    sent.refresh_from_db()
    assert sent.status == Status.SENT
    assert not CustomerRelationship.objects.exists()


def test_a_confirmation_link_works_once(client, sent):
    client.post(link_path(sent), ACCEPT_ANSWERS)
    confirm = confirmation_path("robin@springfield.gov")
    assert client.post(confirm).status_code == 200

    again = client.post(confirm)

    assert again.status_code == 410
    assert text(elements(again, tag="h1")[0]) == "This link was already used"
    assert CustomerRelationship.objects.count() == 1


def test_account_of_a_customer_that_joined_by_invitation_shows_no_empty_address(
    client, sales_agent, sent
):
    accept_via_pages(client, sent)
    customer = Customer.objects.get()
    client.force_login(sales_agent)

    response = client.get(reverse("customers:customer_account", args=[customer.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Not given (the customer joined through a reseller relationship request)" in body
    assert 'href="mailto:"' not in body
