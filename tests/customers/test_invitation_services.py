"""Reseller-relationship invitations (flow 3): the draft, Done, the customer's signed link,
acceptance, revocation, expiry, and tenant isolation of the partner's list."""

import contextlib
import datetime as dt
import re
import threading
import time
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import resolve, reverse
from django.utils import timezone, translation

from customers.invitations import links, services
from customers.invitations.models import ResellerInvitation
from customers.invitations.selectors import (
    invitation_draft_for,
    invitation_get_for_org,
    invitation_list_for_org,
)
from customers.invitations.services import InvitationAcceptance, InvitationUnavailable
from customers.links import LinkInvalid
from customers.models import Customer, CustomerQualification, CustomerRelationship
from customers.selectors import customer_list_for_org
from customers.tasks import invitation_expire_sweep_task
from customers.validations import links as validation_links
from gccportal.exceptions import ActionNotAllowed, InvalidTransition
from notifications.models import OutboxMessage
from partners.models import Membership, Organization
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD as GCC
from reviews.models import AuditEvent
from tests.factories import (
    OrganizationFactory,
)
from tests.helpers import (
    agent_of,
    assert_nothing_changed,
    customer_of,
    invitation_sent,
    reload,
    role_refusal,
    snapshot,
)
from tests.race import Race

Status = ResellerInvitation.Status
Role = Membership.Role

NOW = dt.datetime(2026, 6, 15, 14, 0, tzinfo=dt.UTC)
PARTNER = "Northwind Traders"
PROVIDER = "Contoso Distribution"
RESELLER = "Fabrikam Resellers"
CONFIRMATION = {"company_name": "City of Springfield", "primary_domain": "springfield.gov"}
ACCEPTED_BY = {"accepted_by_name": "Robin Clerk", "accepted_by_email": "robin@springfield.gov"}
EMAIL_TEMPLATE = "emails/customers/invitation_accepted"

NOT_A_MEMBER = "You are not a member of this organization."
NO_LONGER_POSSIBLE = (
    "This request is {status}; that action is no longer possible. Nothing was changed."
)
LINK_REMOVED = (
    "The personalized link was removed from the message. The customer needs it to accept: put "
    "this link back into the message: {link}"
)
UNAVAILABLE = {
    "accepted": "This invitation was already accepted. The link works only once.",
    "revoked": "The partner withdrew this invitation. Ask it for a new one if needed.",
    "expired": "This invitation has expired. Ask the partner to send you a new one.",
    "not_sent": "This invitation has not been sent yet.",
}


# -- helpers -------------------------------------------------------------------------------


def events(subject) -> list[tuple]:
    """The audit trail of `subject`: (organization, actor, action, from, to, note)."""
    return [
        (e.organization, e.actor, e.action, e.from_status, e.to_status, e.note)
        for e in AuditEvent.objects.for_subject(subject).order_by("pk")
    ]


def relationships() -> set[tuple[int, int]]:
    return set(CustomerRelationship.objects.values_list("organization", "customer"))


def base_url() -> str:
    return django_settings.PORTAL_BASE_URL.rstrip("/")


def token_in(text: str) -> str:
    """The token of the one personalized link in `text`, resolved like the browser would."""
    (path,) = re.findall(re.escape(base_url()) + r"(/reseller-relationship/[^/\s]+/)", text)
    match = resolve(path)
    assert match.view_name == "customers:invitation_accept"
    return match.kwargs["token"]


def token_of(invitation: ResellerInvitation) -> str:
    return token_in(services.invitation_link(invitation))


def one_character_changed(token: str, index: int) -> str:
    replacement = "A" if token[index] != "A" else "B"
    return token[:index] + replacement + token[index + 1 :]


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def partner(db) -> Organization:
    return OrganizationFactory(legal_name=PARTNER)


@pytest.fixture
def avery(partner):
    """An Admin agent of the partner, who drafts the invitations."""
    return agent_of(partner, Role.ADMIN_AGENT, first_name="Avery", last_name="Agent")


@pytest.fixture
def draft(run, avery):
    def make(user=None) -> ResellerInvitation:
        user = user or avery
        return run(
            services.invitation_create, organization=user.membership.organization, created_by=user
        )

    return make


@pytest.fixture
def send(run):
    def call(invitation: ResellerInvitation, actor=None, **text) -> ResellerInvitation:
        return run(
            services.invitation_send,
            invitation_id=invitation.pk,
            organization=invitation.organization,
            actor=actor or invitation.created_by,
            **{"subject": invitation.subject, "body": invitation.body, **text},
        )

    return call


@pytest.fixture
def sent(draft, send):
    def make(user=None) -> ResellerInvitation:
        return send(draft(user))

    return make


@pytest.fixture
def accept(run):
    """The customer accepts through the link, confirming its organization."""

    def call(token: str, now=None, **overrides) -> InvitationAcceptance:
        answers = {**CONFIRMATION, **ACCEPTED_BY, **overrides}
        return run(services.invitation_accept, token=token, answers=answers, now=now)

    return call


@pytest.fixture
def invitation_in(draft, sent, accept, run):
    """An invitation of the partner brought to `status` through the services; mail cleared."""

    def make(status: str, user=None) -> ResellerInvitation:
        invitation = draft(user) if status == Status.DRAFT else sent(user)
        if status == Status.ACCEPTED:
            accept(token_in(invitation.body))
        elif status == Status.REVOKED:
            run(
                services.invitation_revoke,
                invitation_id=invitation.pk,
                organization=invitation.organization,
                actor=invitation.created_by,
            )
        elif status == Status.EXPIRED:
            ResellerInvitation.objects.filter(pk=invitation.pk).update(
                expires_at=timezone.now() - dt.timedelta(minutes=1)
            )
            assert services.invitation_expire_sweep() == 1
        mail.outbox.clear()
        invitation = reload(invitation)
        assert invitation.status == status
        return invitation

    return make


# -- invitation_create ---------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.ADMIN_AGENT, Role.SALES_AGENT])
def test_create_drafts_the_email_holding_the_personalized_link(run, partner, settings, role):
    # Given an Admin or Sales agent of a direct reseller, and invitations valid 30 days
    settings.INVITATION_VALID_DAYS = 30
    agent = agent_of(partner, role, first_name="Avery", last_name="Agent")

    # When the agent asks for a reseller relationship
    invitation = run(services.invitation_create, organization=partner, created_by=agent)

    # Then a draft exists, by the agent, for the partner itself, in the agent's language
    invitation = reload(invitation)
    assert invitation.status == Status.DRAFT
    assert (invitation.organization, invitation.on_behalf_of) == (partner, None)
    assert (invitation.created_by, invitation.language) == (agent, "en")
    assert (invitation.sent_at, invitation.expires_at, invitation.accepted_at) == (None,) * 3
    assert (invitation.customer, invitation.revoked_at, invitation.revoked_by) == (None,) * 3
    # and its personalized link is signed, absolute, and names this invitation and its nonce
    link = services.invitation_link(invitation)
    token = token_of(invitation)
    assert link == f"{base_url()}/reseller-relationship/{token}/"
    assert links.invitation_read(token) == (invitation.pk, invitation.nonce)
    assert len(invitation.nonce) == 43  # 32 random bytes
    # and the draft email names the partner and holds the link
    assert invitation.subject == f"{PARTNER} asks to become your Microsoft reseller"
    assert invitation.body == (
        "Hello,\n\n"
        f"{PARTNER} asks to become your Microsoft Cloud Solution Provider reseller for your "
        "Office 365 Government Community Cloud (GCC) services.\n\n"
        "To accept, open this personalized link (valid 30 days, usable once) and confirm your "
        f"organization:\n{link}\n\n"
        "Your existing GCC validation stays as it is. If you have questions, reply to this "
        "email.\n\n"
        f"Avery Agent\n{PARTNER}"
    )
    # and one audit event, nothing sent
    assert events(invitation) == [(partner, agent, "invitation_drafted", "", "draft", "")]
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


def test_each_draft_gets_its_own_unguessable_link(draft, avery):
    # Given / When two drafts of the same partner, by two of its agents
    first, second = draft(), draft(agent_of(avery.membership.organization))

    # Then their nonces and links differ
    assert first.nonce != second.nonce
    assert services.invitation_link(first) != services.invitation_link(second)
    assert token_in(first.body) != token_in(second.body)


def test_a_second_request_reuses_the_members_open_draft(run, partner, send):
    # Given an agent's open draft, and a colleague's
    agent, colleague = agent_of(partner), agent_of(partner)
    first = run(services.invitation_create, organization=partner, created_by=agent)
    theirs = run(services.invitation_create, organization=partner, created_by=colleague)
    before = snapshot()

    # When the agent asks for a reseller relationship again (a second click)
    again = run(services.invitation_create, organization=partner, created_by=agent)

    # Then the same draft comes back; nothing is created, audited or sent
    assert again == first
    assert again != theirs
    assert_nothing_changed(before)
    assert invitation_draft_for(organization=partner, created_by=agent) == first

    # When that draft is sent, the next request is a new draft
    send(first)
    fresh = run(services.invitation_create, organization=partner, created_by=agent)
    assert fresh not in (first, theirs)
    assert reload(fresh).status == Status.DRAFT


def test_a_revoked_draft_is_not_reused(run, partner):
    # Given an agent's draft, revoked
    agent = agent_of(partner)
    first = run(services.invitation_create, organization=partner, created_by=agent)
    run(services.invitation_revoke, invitation_id=first.pk, organization=partner, actor=agent)

    # When the agent asks again
    again = run(services.invitation_create, organization=partner, created_by=agent)

    # Then a new draft is made
    assert again != first
    assert reload(again).status == Status.DRAFT
    assert invitation_draft_for(organization=partner, created_by=agent) == again


def test_create_writes_the_draft_in_the_creators_language(run, partner, monkeypatch):
    # Given a French-speaking agent and an English-speaking one, while French is active
    french = agent_of(partner, language="fr")
    english = agent_of(partner, language="en")
    real_render = services.render_to_string
    rendered = []

    def spy(template_name, context=None, *args, **kwargs):
        rendered.append((template_name.rsplit("/", 1)[1], translation.get_language()))
        return real_render(template_name, context, *args, **kwargs)

    monkeypatch.setattr(services, "render_to_string", spy)

    # When each creates a draft
    with translation.override("fr"):
        for_english = run(services.invitation_create, organization=partner, created_by=english)
    for_french = run(services.invitation_create, organization=partner, created_by=french)

    # Then each draft is written in, and records, its creator's language
    assert (reload(for_english).language, reload(for_french).language) == ("en", "fr")
    assert rendered == [
        ("draft.subject.txt", "en"),
        ("draft.body.txt", "en"),
        ("draft.subject.txt", "fr"),
        ("draft.body.txt", "fr"),
    ]


def test_an_indirect_reseller_invites_on_behalf_of_its_provider_and_the_draft_names_both(run, db):
    # Given an indirect reseller of an indirect provider, and a sales agent of the reseller
    provider = OrganizationFactory(
        legal_name=PROVIDER, partner_type=Organization.PartnerType.INDIRECT_PROVIDER
    )
    reseller = OrganizationFactory(
        legal_name=RESELLER,
        partner_type=Organization.PartnerType.INDIRECT_RESELLER,
        indirect_provider=provider,
    )
    agent = agent_of(reseller)

    # When the agent asks for a reseller relationship
    invitation = reload(run(services.invitation_create, organization=reseller, created_by=agent))

    # Then the invitation is the reseller's, on behalf of its provider, and the email names both
    assert (invitation.organization, invitation.on_behalf_of) == (reseller, provider)
    assert invitation.subject == f"{RESELLER} asks to become your Microsoft reseller"
    assert (
        f"{RESELLER}, working with its indirect provider {PROVIDER}, asks to become your "
        "Microsoft Cloud Solution Provider reseller" in invitation.body
    )
    assert services.invitation_link(invitation) in invitation.body
    assert events(invitation) == [(reseller, agent, "invitation_drafted", "", "draft", "")]


def test_an_indirect_provider_invites_for_itself(run, db):
    # Given an indirect provider's agent
    provider = OrganizationFactory(
        legal_name=PROVIDER, partner_type=Organization.PartnerType.INDIRECT_PROVIDER
    )

    # When it asks for a reseller relationship
    invitation = run(
        services.invitation_create, organization=provider, created_by=agent_of(provider)
    )

    # Then nobody else is named
    assert reload(invitation).on_behalf_of is None
    assert f"{PROVIDER} asks to become your Microsoft Cloud Solution Provider" in invitation.body
    assert "indirect provider" not in invitation.body


@pytest.mark.parametrize("role", [Role.HELPDESK_AGENT, Role.BILLING_ADMIN])
def test_create_is_refused_to_roles_without_gcc_actions(run, partner, role):
    # Given a Helpdesk agent or a Billing admin of the partner
    user = agent_of(partner, role)
    before = snapshot()

    # When the user asks for a reseller relationship
    with pytest.raises(ActionNotAllowed) as refused:
        run(services.invitation_create, organization=partner, created_by=user)

    # Then it is refused, saying why; nothing is created, audited or sent
    assert refused.value.message == role_refusal(Role(role).label)
    assert_nothing_changed(before)
    assert ResellerInvitation.objects.count() == 0


def test_create_for_an_organization_one_is_not_a_member_of_is_refused(run, partner):
    # Given an Admin agent of another partner
    outsider = agent_of(OrganizationFactory(), Role.ADMIN_AGENT)
    before = snapshot()

    # When it tries to draft an invitation in the partner's name
    with pytest.raises(ActionNotAllowed) as refused:
        run(services.invitation_create, organization=partner, created_by=outsider)

    # Then it is refused; nothing is created
    assert refused.value.message == NOT_A_MEMBER
    assert_nothing_changed(before)


# -- invitation_send -----------------------------------------------------------------------
def test_done_marks_the_draft_sent_with_the_edited_text_and_an_expiry(
    draft, send, partner, settings
):
    # Given invitations valid 30 days, a draft by the Admin agent, and a Sales agent who
    # edits it around the link
    settings.INVITATION_VALID_DAYS = 30
    invitation = draft()
    sales = agent_of(partner)
    link = services.invitation_link(invitation)
    body = f"  Dear Robin,\n\nAs discussed on the phone: {link}\n\nThanks, Sam  \n"
    started = timezone.now()

    # When the Sales agent selects Done
    result = send(invitation, actor=sales, subject="  Springfield: our request  ", body=body)

    # Then the invitation is sent now, expires in 30 days, with the edited text saved
    finished = timezone.now()
    invitation = reload(invitation)
    assert result == invitation
    assert invitation.status == Status.SENT
    assert started <= invitation.sent_at <= finished
    assert invitation.expires_at == invitation.sent_at + dt.timedelta(days=30)
    assert invitation.subject == "Springfield: our request"
    assert invitation.body == f"Dear Robin,\n\nAs discussed on the phone: {link}\n\nThanks, Sam"
    # and the link is unchanged
    assert services.invitation_link(invitation) == link
    assert token_in(invitation.body) == token_of(invitation)
    # and the move is audited, by the Sales agent; no email (the partner sends it itself)
    assert events(invitation) == [
        (partner, invitation.created_by, "invitation_drafted", "", "draft", ""),
        (partner, sales, "invitation_sent", "draft", "sent", ""),
    ]
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


def test_the_link_does_not_change_over_time_so_done_finds_it_an_hour_later(
    draft, send, monkeypatch
):
    # Given a draft whose email holds the link, and an hour passing on the signing clock
    invitation = draft()
    link = services.invitation_link(invitation)
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + 3600)

    # When the partner's page shows the link again, and the partner selects Done
    shown_later = services.invitation_link(invitation)
    invitation = reload(send(invitation))

    # Then it is the same link, found in the unchanged draft: the invitation is sent
    assert shown_later == link
    assert invitation.status == Status.SENT
    assert token_in(invitation.body) == token_of(invitation)


def test_the_validity_period_is_a_setting(draft, send, settings):
    # Given invitations valid 7 days
    settings.INVITATION_VALID_DAYS = 7

    # When a draft is created and sent
    invitation = draft()
    assert "(valid 7 days, usable once)" in invitation.body
    invitation = reload(send(invitation))

    # Then it expires 7 days after it was sent
    assert invitation.expires_at - invitation.sent_at == dt.timedelta(days=7)


@pytest.mark.parametrize(
    "edit",
    [
        lambda body, link: body.replace(link, ""),
        lambda body, link: body.replace(link, link[:-1]),
        lambda body, link: body.replace(link, link.replace("/reseller-relationship/", "/x/")),
        lambda body, link: "",
    ],
    ids=["link-removed", "link-truncated", "link-altered", "empty-body"],
)
def test_done_refuses_a_body_without_the_link_and_says_which_link(draft, send, edit):
    # Given a draft whose body was edited so that the exact link is no longer in it
    invitation = draft()
    link = services.invitation_link(invitation)
    body = edit(invitation.body, link)
    before = snapshot()

    # When the partner selects Done
    with pytest.raises(ValidationError) as invalid:
        send(invitation, body=body)

    # Then the body is refused with the link to put back; the invitation stays a draft
    assert invalid.value.message_dict == {"body": [LINK_REMOVED.format(link=link)]}
    assert_nothing_changed(before)
    assert reload(invitation).status == Status.DRAFT


def test_done_refuses_an_empty_subject(draft, send):
    # Given a draft
    invitation = draft()
    before = snapshot()

    # When the partner blanks the subject, then also removes the link
    with pytest.raises(ValidationError) as no_subject:
        send(invitation, subject=" \t ")
    with pytest.raises(ValidationError) as both:
        send(invitation, subject="", body="No link here.")

    # Then each problem is named; nothing changes
    assert no_subject.value.message_dict == {"subject": ["Enter a subject for the email."]}
    assert both.value.message_dict == {
        "subject": ["Enter a subject for the email."],
        "body": [LINK_REMOVED.format(link=services.invitation_link(invitation))],
    }
    assert_nothing_changed(before)


def test_done_on_another_partners_invitation_is_not_found(run, draft, other_admin_agent):
    # Given the partner's draft and an Admin agent of another partner
    invitation = draft()
    before = snapshot()

    # When the other agent sends it in its own organization's name, or in the partner's
    with pytest.raises(ResellerInvitation.DoesNotExist):
        run(
            services.invitation_send,
            invitation_id=invitation.pk,
            organization=other_admin_agent.membership.organization,
            actor=other_admin_agent,
            subject=invitation.subject,
            body=invitation.body,
        )
    with pytest.raises(ActionNotAllowed) as refused:
        run(
            services.invitation_send,
            invitation_id=invitation.pk,
            organization=invitation.organization,
            actor=other_admin_agent,
            subject=invitation.subject,
            body=invitation.body,
        )

    # Then it is not found / refused, and nothing changes
    assert refused.value.message == NOT_A_MEMBER
    assert_nothing_changed(before)


def test_done_is_refused_to_a_helpdesk_agent(draft, send, partner):
    # Given a draft and a Helpdesk agent of the same partner
    invitation = draft()
    helpdesk = agent_of(partner, Role.HELPDESK_AGENT)
    before = snapshot()

    # When the Helpdesk agent selects Done
    with pytest.raises(ActionNotAllowed) as refused:
        send(invitation, actor=helpdesk)

    # Then it is refused; nothing changes
    assert refused.value.message == role_refusal("Helpdesk agent")
    assert_nothing_changed(before)


def test_done_twice_is_refused(sent, send):
    # Given a sent invitation
    invitation = sent()
    before = snapshot()

    # When Done is selected again (a second tab, a replayed form)
    with pytest.raises(InvalidTransition) as refused:
        send(invitation, subject="Again", body=invitation.body + "\nAgain")

    # Then it is refused; the first sending (time, expiry, text) stands
    assert refused.value.message == NO_LONGER_POSSIBLE.format(status="sent")
    assert_nothing_changed(before)


# -- the customer's link -------------------------------------------------------------------
def test_a_sent_link_opens_its_invitation_and_reading_it_changes_nothing(sent):
    # Given a sent invitation and the link in its email
    invitation = sent()
    token = token_in(invitation.body)
    before = snapshot()

    # When the customer opens the link
    opened = services.invitation_for_token(token=token)

    # Then it is that invitation, with the partner to show; nothing changes
    assert opened == invitation
    assert opened.organization.legal_name == PARTNER
    assert opened.on_behalf_of is None
    assert_nothing_changed(before)


def link_token(invitation_id: int, nonce: str, *, salt: str | None = None, key: str = "") -> str:
    """The token of a link made the portal's way, with one ingredient possibly changed."""
    with (
        mock.patch.object(links, "INVITATION_SALT", salt or links.INVITATION_SALT),
        override_settings(SECRET_KEY=key or django_settings.SECRET_KEY),
    ):
        return token_in(links.invitation_url(invitation_id=invitation_id, nonce=nonce))


FORGERIES = {
    "one-character-of-the-signature": lambda token, mine, other: one_character_changed(token, -1),
    "one-character-of-the-payload": lambda token, mine, other: one_character_changed(token, 5),
    "another-invitations-nonce": lambda token, mine, other: link_token(mine.pk, other.nonce),
    "another-invitations-id": lambda token, mine, other: link_token(other.pk, mine.nonce),
    "payload-of-another-link-with-this-signature": lambda token, mine, other: (
        token_of(other).rsplit(":", 1)[0] + ":" + token.rsplit(":", 1)[1]
    ),
    "unknown-invitation": lambda token, mine, other: link_token(999999, mine.nonce),
    "the-info-request-links-salt": lambda token, mine, other: link_token(
        mine.pk, mine.nonce, salt=validation_links.SALT
    ),
    "another-secret-key": lambda token, mine, other: link_token(
        mine.pk, mine.nonce, key="not-the-portal-secret-key-0123456789"
    ),
    "wrong-shape": lambda token, mine, other: signing.Signer(
        salt=links.INVITATION_SALT
    ).sign_object({"invitation": mine.pk}),
    "not-a-token": lambda token, mine, other: "not-a-token",
}


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_tampered_link_is_refused_and_changes_nothing(sent, accept, forge):
    # Given a sent invitation, another partner's sent invitation, and a forged link
    mine = sent()
    other = sent(agent_of(OrganizationFactory()))
    token = token_in(mine.body)
    forged = forge(token, mine, other)
    assert forged != token
    before = snapshot()

    # When the forged link is opened and accepted
    with pytest.raises(LinkInvalid):
        services.invitation_for_token(token=forged)
    with pytest.raises(LinkInvalid):
        accept(forged)

    # Then nothing changes: no customer, relationship, audit event or email
    assert_nothing_changed(before)

    # and the genuine link still works
    assert accept(token).invitation == mine
    assert reload(other).status == Status.SENT


@pytest.mark.parametrize(
    "status, reason",
    [
        (Status.DRAFT, "not_sent"),
        (Status.REVOKED, "revoked"),
        (Status.EXPIRED, "expired"),
        (Status.ACCEPTED, "accepted"),
    ],
)
def test_a_link_that_may_no_longer_be_used_says_why_and_changes_nothing(
    invitation_in, accept, status, reason
):
    # Given an invitation not sent yet, revoked, expired, or already accepted
    invitation = invitation_in(status)
    token = token_of(invitation)
    before = snapshot()

    # When the customer opens its link, and accepts (with another organization's details)
    with pytest.raises(InvitationUnavailable) as opened:
        services.invitation_for_token(token=token)
    with pytest.raises(InvitationUnavailable) as accepted:
        accept(token, company_name="Shelbyville", primary_domain="shelbyville.gov")

    # Then both say why, and nothing changes
    for refused in (opened, accepted):
        assert refused.value.reason == reason
        assert refused.value.message == UNAVAILABLE[reason]
    assert_nothing_changed(before)
    assert not Customer.objects.filter(primary_domain="shelbyville.gov").exists()


def test_a_revoked_draft_link_says_revoked(invitation_in, run):
    # Given a draft revoked before it was sent
    invitation = invitation_in(Status.DRAFT)
    run(
        services.invitation_revoke,
        invitation_id=invitation.pk,
        organization=invitation.organization,
        actor=invitation.created_by,
    )

    # When its link is opened
    with pytest.raises(InvitationUnavailable) as refused:
        services.invitation_for_token(token=token_of(invitation))

    # Then it says the partner withdrew it
    assert refused.value.reason == "revoked"


def test_a_link_past_its_expiry_is_refused_before_the_sweep_marks_it(sent, accept):
    # Given a sent invitation whose expiry passed a second ago (the sweep has not run)
    invitation = sent()
    ResellerInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    token = token_in(invitation.body)
    before = snapshot()

    # When the customer opens and accepts
    with pytest.raises(InvitationUnavailable) as opened:
        services.invitation_for_token(token=token)
    with pytest.raises(InvitationUnavailable) as accepted:
        accept(token)

    # Then it has expired; nothing changes (the invitation is still "sent" until the sweep)
    assert (opened.value.reason, accepted.value.reason) == ("expired", "expired")
    assert accepted.value.message == UNAVAILABLE["expired"]
    assert_nothing_changed(before)
    assert reload(invitation).status == Status.SENT


def test_expiry_is_decided_at_the_given_moment(sent, accept):
    # Given a sent invitation expiring at a known moment
    invitation = sent()
    expires_at = dt.datetime(2026, 7, 15, 14, 0, tzinfo=dt.UTC)
    ResellerInvitation.objects.filter(pk=invitation.pk).update(expires_at=expires_at)
    token = token_in(invitation.body)
    just_before = expires_at - dt.timedelta(microseconds=1)

    # When it is opened just before, and opened and accepted at, its expiry
    opened = services.invitation_for_token(token=token, now=just_before)
    with pytest.raises(InvitationUnavailable) as at_expiry:
        services.invitation_for_token(token=token, now=expires_at)
    before = snapshot()
    with pytest.raises(InvitationUnavailable) as accepted_at_expiry:
        accept(token, now=expires_at)

    # Then it opens before; at the expiry moment it is refused and nothing changes
    assert opened == invitation
    assert (at_expiry.value.reason, accepted_at_expiry.value.reason) == ("expired", "expired")
    assert_nothing_changed(before)

    # and an acceptance just before the expiry is taken, at that moment
    result = accept(token, now=just_before)
    assert reload(result.invitation).accepted_at == just_before


def test_a_link_works_once(sent, accept, avery):
    # Given an invitation accepted through its link
    invitation = sent()
    token = token_in(invitation.body)
    first = accept(token)
    mail.outbox.clear()
    before = snapshot()

    # When the link is used again, even for another organization
    with pytest.raises(InvitationUnavailable) as refused:
        accept(token, company_name="Shelbyville", primary_domain="shelbyville.gov")

    # Then it is refused as already accepted; the first acceptance stands
    assert refused.value.reason == "accepted"
    assert refused.value.message == UNAVAILABLE["accepted"]
    assert_nothing_changed(before)
    assert reload(invitation).customer == first.customer
    assert list(Customer.objects.values_list("primary_domain", flat=True)) == ["springfield.gov"]


# -- invitation_accept ---------------------------------------------------------------------
def test_accepting_creates_the_new_customer_and_the_relationship(sent, accept, partner, avery):
    # Given a sent invitation from the partner, and a domain the portal does not know
    invitation = sent()
    token = token_in(invitation.body)
    started = timezone.now()

    # When the customer confirms its organization (with stray blanks and capitals) and accepts
    result = accept(
        token,
        company_name="  City of Springfield ",
        primary_domain=" SpringField.GOV ",
        accepted_by_name=" Robin Clerk ",
        accepted_by_email=" robin@springfield.gov ",
    )

    # Then the customer exists with the confirmed name and the lower-case domain
    finished = timezone.now()
    customer = Customer.objects.get()
    assert (customer.company_name, customer.primary_domain) == (
        "City of Springfield",
        "springfield.gov",
    )
    assert (customer.created_by, customer.address_line1, customer.contact_email) == (None, "", "")
    assert list(customer.qualifications.all()) == []
    # and the partner now manages it: it is on the partner's Customers page
    assert result == InvitationAcceptance(
        invitation=result.invitation, customer=customer, already_reseller=False
    )
    assert relationships() == {(partner.pk, customer.pk)}
    assert list(customer_list_for_org(organization=partner)) == [customer]
    # and the invitation is accepted, by whom, when, for that customer
    invitation = reload(invitation)
    assert result.invitation == invitation
    assert invitation.status == Status.ACCEPTED
    assert started <= invitation.accepted_at <= finished
    assert (invitation.customer, invitation.accepted_by_name, invitation.accepted_by_email) == (
        customer,
        "Robin Clerk",
        "robin@springfield.gov",
    )
    # and audit events on both sides, by no user (the customer has no account)
    assert events(invitation)[2:] == [
        (
            partner,
            None,
            "invitation_accepted",
            "sent",
            "accepted",
            "Robin Clerk <robin@springfield.gov>",
        )
    ]
    assert events(customer) == [
        (
            partner,
            None,
            "relationship_created",
            "",
            "",
            f"Reseller relationship request #{invitation.pk}",
        )
    ]
    # and exactly one email, to the agent who drafted the invitation
    assert list(OutboxMessage.objects.values_list("template", "to_email")) == [
        (EMAIL_TEMPLATE, avery.email)
    ]
    (email,) = mail.outbox
    assert email.to == [avery.email]
    assert email.subject == "City of Springfield accepted your reseller relationship request"
    assert email.body.startswith("Hello Avery Agent,\n\n")
    assert (
        "City of Springfield (springfield.gov) accepted your reseller relationship request "
        "(Robin Clerk). It now appears on your Customers page" in email.body
    )
    assert f"{base_url()}{reverse('customers:customer_list')}" in email.body


def test_accepting_matches_an_existing_customer_by_domain_and_keeps_its_gcc_qualification(
    sent, accept, partner, avery, other_organization
):
    # Given a GCC customer already in the portal, managed by another partner
    customer = customer_of(
        gcc=True, company_name="Springfield County", primary_domain="springfield.gov"
    )
    CustomerRelationship.objects.create(organization=other_organization, customer=customer)
    customer_before = list(Customer.objects.values())
    qualifications_before = list(CustomerQualification.objects.values())
    invitation = sent()

    # When the customer accepts, confirming another spelling of its name and an upper-case
    # domain
    result = accept(
        token_in(invitation.body),
        company_name="City of Springfield",
        primary_domain="SPRINGFIELD.gov",
    )

    # Then it is the same customer, unchanged, its GCC qualification kept
    assert (result.customer, result.already_reseller) == (customer, False)
    assert list(Customer.objects.values()) == customer_before
    assert list(CustomerQualification.objects.values()) == qualifications_before
    # and the partner manages it too, and sees its GCC qualification on its Customers page
    assert relationships() == {(other_organization.pk, customer.pk), (partner.pk, customer.pk)}
    (listed,) = customer_list_for_org(organization=partner)
    assert listed == customer
    assert [(q.qualification, q.vetting_status) for q in listed.qualifications.all()] == [
        (GCC, CustomerQualification.VettingStatus.APPROVED)
    ]
    assert reload(invitation).customer == customer
    assert events(customer) == [
        (
            partner,
            None,
            "relationship_created",
            "",
            "",
            f"Reseller relationship request #{invitation.pk}",
        )
    ]
    # and the agent hears of it, with the customer's name as the portal knows it
    (email,) = mail.outbox
    assert email.to == [avery.email]
    assert email.subject == "Springfield County accepted your reseller relationship request"


def test_an_existing_customer_is_not_joined_with_a_mailbox_at_a_subdomain(
    sent, accept, partner, other_organization
):
    # Given a customer of another partner, at springfield.gov, and this partner's invitation
    customer = customer_of(gcc=True, primary_domain="springfield.gov")
    CustomerRelationship.objects.create(organization=other_organization, customer=customer)
    invitation = sent()
    before = snapshot()

    # When the acceptance names that domain with a mailbox at one of its subdomains
    with pytest.raises(ValidationError) as caught:
        accept(token_in(invitation.body), accepted_by_email="mallory@mail.springfield.gov")

    # Then it is refused, and the partner gains nothing
    assert caught.value.message_dict == {
        "accepted_by_email": [
            "Enter your work email address at springfield.gov: we send the confirmation link there."
        ]
    }
    assert_nothing_changed(before)


def test_accepting_when_the_partner_already_is_the_reseller_duplicates_nothing(
    sent, accept, partner, avery
):
    # Given a GCC customer the partner already manages, and an invitation sent to it anyway
    customer = customer_of(
        gcc=True, company_name="Springfield County", primary_domain="springfield.gov"
    )
    relationship = CustomerRelationship.objects.create(organization=partner, customer=customer)
    invitation = sent()
    customer_before = list(Customer.objects.values())
    qualifications_before = list(CustomerQualification.objects.values())

    # When the customer accepts
    result = accept(token_in(invitation.body))

    # Then the result says the partner already is its reseller; nothing is duplicated
    assert (result.customer, result.already_reseller) == (customer, True)
    assert list(CustomerRelationship.objects.all()) == [relationship]
    assert list(Customer.objects.values()) == customer_before
    assert list(CustomerQualification.objects.values()) == qualifications_before
    assert events(customer) == []
    # and the invitation is still used up: accepted, for that customer
    invitation = reload(invitation)
    assert (invitation.status, invitation.customer) == (Status.ACCEPTED, customer)
    assert [event[2] for event in events(invitation)] == [
        "invitation_drafted",
        "invitation_sent",
        "invitation_accepted",
    ]
    # and the agent gets one email saying nothing changed
    assert OutboxMessage.objects.count() == 1
    (email,) = mail.outbox
    assert email.to == [avery.email]
    assert (
        email.subject == "Springfield County opened your invitation: you already are its reseller"
    )
    assert (
        "Springfield County (springfield.gov) accepted your invitation, but your organization "
        "already is its reseller: nothing changed." in email.body
    )


@pytest.mark.parametrize(
    "confirmation, errors",
    [
        (
            {"company_name": " ", "primary_domain": " "},
            {
                "company_name": ["Enter your organization's name."],
                "primary_domain": ["Enter your organization's primary domain."],
            },
        ),
        ({"company_name": ""}, {"company_name": ["Enter your organization's name."]}),
        (
            {"primary_domain": "  "},
            {"primary_domain": ["Enter your organization's primary domain."]},
        ),
    ],
    ids=["both-blank", "no-name", "no-domain"],
)
def test_accepting_without_the_organizations_name_or_domain_is_refused(
    sent, accept, confirmation, errors
):
    # Given a sent invitation
    invitation = sent()
    token = token_in(invitation.body)
    before = snapshot()

    # When the customer accepts without confirming its organization
    with pytest.raises(ValidationError) as invalid:
        accept(token, **confirmation)

    # Then it is asked for; nothing changes, and the link still works
    assert invalid.value.message_dict == errors
    assert_nothing_changed(before)
    assert accept(token).invitation.status == Status.ACCEPTED


# -- two requests for a relationship at the same moment (real transactions, PostgreSQL) --


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_make_one_draft(monkeypatch):
    # Given an agent with no draft, and the first request holding the organization's lock
    # once it has made its draft, until the other is seen waiting for that lock
    partner = OrganizationFactory()
    agent = agent_of(partner)
    race = Race()
    race.hold_after(monkeypatch, services, "transition_audit")

    # When the agent's two clicks arrive at the same moment
    outcomes = race.run(
        [lambda: services.invitation_create(organization=partner, created_by=agent)] * 2
    )

    # Then the second waited for the first, and both lead to the one draft
    assert race.waited == [1 - race.holder]
    assert outcomes[0] == outcomes[1]
    assert isinstance(outcomes[0], ResellerInvitation), outcomes
    assert ResellerInvitation.objects.filter(organization=partner).count() == 1


# -- two acceptances at the same moment (real transactions, PostgreSQL) -----------------


@pytest.mark.django_db(transaction=True)
def test_two_acceptances_of_one_link_racing_only_one_wins(monkeypatch):
    # Given a sent invitation (committed), and two people of the customer pressing Accept on
    # the same link at the same moment
    partner = OrganizationFactory()
    invitation = invitation_sent(partner)
    token = token_in(invitation.body)
    names = ["Robin Clerk", "Sam Deputy"]
    # and the first acceptance to lock the invitation holding its lock, once it has written
    # everything, until the other acceptance is seen waiting for that lock
    race = Race()
    race.hold_after(monkeypatch, services, "audit_event_record")

    def accept_as(name: str):
        return lambda: services.invitation_accept(
            token=token,
            answers={
                **CONFIRMATION,
                "accepted_by_name": name,
                "accepted_by_email": "it@springfield.gov",
            },
        )

    # When both accept at once
    outcomes = race.run([accept_as(name) for name in names])

    # Then exactly one acceptance is taken; the other waited for it on the invitation's lock,
    # and is told the link was already used
    winner, loser = race.holder, 1 - race.holder
    assert race.waited == [loser]
    assert isinstance(outcomes[winner], InvitationAcceptance), outcomes
    assert isinstance(outcomes[loser], InvitationUnavailable), outcomes
    assert outcomes[loser].reason == "accepted"
    assert outcomes[winner].already_reseller is False
    # and there is one customer, one relationship, one acceptance event and one email
    customer = Customer.objects.get()
    assert relationships() == {(partner.pk, customer.pk)}
    invitation = reload(invitation)
    assert (invitation.status, invitation.accepted_by_name) == (Status.ACCEPTED, names[winner])
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "invitation_drafted",
        "invitation_sent",
        "invitation_accepted",
        "relationship_created",
    ]
    assert list(OutboxMessage.objects.values_list("template", flat=True)) == [EMAIL_TEMPLATE]
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_partners_invitations_accepted_at_once_for_one_new_domain_make_one_customer(
    monkeypatch,
):
    # Given two partners, each with a sent invitation to the same organization, unknown to
    # the portal
    partners = [OrganizationFactory(), OrganizationFactory()]
    invitations = [invitation_sent(partner) for partner in partners]
    # and both acceptances looking the domain up before either creates the customer, the
    # first to create it holding its transaction open until the other one's insert is seen
    # waiting for it (on the unique domain)
    race = Race()
    manager = Customer.objects
    real_get_or_create = manager.get_or_create
    lookup = threading.Barrier(2)
    created_flags: list = [None, None]

    def get_or_create_together(**kwargs):
        lookup.wait(timeout=10)
        customer, created = real_get_or_create(**kwargs)
        created_flags[race.index] = created
        if created:
            race.hold()
        return customer, created

    monkeypatch.setattr(manager, "get_or_create", get_or_create_together)

    # When both customers' contacts accept at the same moment
    outcomes = race.run(
        [
            lambda invitation=invitation: services.invitation_accept(
                token=token_in(invitation.body), answers={**CONFIRMATION, **ACCEPTED_BY}
            )
            for invitation in invitations
        ]
    )

    # Then both acceptances are taken, for one and the same customer
    assert all(isinstance(o, InvitationAcceptance) for o in outcomes), outcomes
    # and the other one provably raced: it found no customer, then waited on the unique
    # domain for the one that created it, then took that customer
    assert race.waited == [1 - race.holder]
    assert created_flags[race.holder] is True
    assert created_flags[1 - race.holder] is False
    customer = Customer.objects.get()
    assert customer.primary_domain == "springfield.gov"
    assert [(o.customer, o.already_reseller) for o in outcomes] == [(customer, False)] * 2
    # and each partner now manages it, with its own acceptance, event and email
    assert relationships() == {(partner.pk, customer.pk) for partner in partners}
    for invitation in invitations:
        assert (reload(invitation).status, reload(invitation).customer) == (
            Status.ACCEPTED,
            customer,
        )
    assert sorted(
        AuditEvent.objects.filter(action="relationship_created").values_list(
            "organization", flat=True
        )
    ) == sorted(partner.pk for partner in partners)
    assert sorted(OutboxMessage.objects.values_list("to_email", flat=True)) == sorted(
        invitation.created_by.email for invitation in invitations
    )
    assert len(mail.outbox) == 2


# -- invitation_revoke ---------------------------------------------------------------------
@pytest.mark.parametrize("status", [Status.DRAFT, Status.SENT])
def test_revoking_an_unaccepted_invitation_kills_its_link(
    run, invitation_in, partner, accept, status
):
    # Given a draft or sent invitation, and a Sales agent of the partner
    invitation = invitation_in(status)
    sales = agent_of(partner)
    started = timezone.now()

    # When the Sales agent revokes it
    result = run(
        services.invitation_revoke, invitation_id=invitation.pk, organization=partner, actor=sales
    )

    # Then it is revoked, by whom and when, and audited; no email
    invitation = reload(invitation)
    assert result == invitation
    assert invitation.status == Status.REVOKED
    assert invitation.revoked_by == sales
    assert started <= invitation.revoked_at <= timezone.now()
    assert events(invitation)[-1] == (partner, sales, "invitation_revoked", status, "revoked", "")
    assert mail.outbox == []
    assert OutboxMessage.objects.count() == 0
    # and its link no longer works
    with pytest.raises(InvitationUnavailable) as refused:
        accept(token_of(invitation))
    assert refused.value.reason == "revoked"


@pytest.mark.parametrize("status", [Status.ACCEPTED, Status.EXPIRED, Status.REVOKED])
def test_revoking_a_closed_invitation_is_refused(run, invitation_in, partner, avery, status):
    # Given an accepted, expired or already revoked invitation
    invitation = invitation_in(status)
    before = snapshot()

    # When the partner revokes it
    with pytest.raises(InvalidTransition) as refused:
        run(
            services.invitation_revoke,
            invitation_id=invitation.pk,
            organization=partner,
            actor=avery,
        )

    # Then it is refused, saying why; nothing changes (an accepted relationship stays)
    assert refused.value.message == NO_LONGER_POSSIBLE.format(status=status)
    assert_nothing_changed(before)


def test_revoking_another_partners_invitation_is_not_found(run, invitation_in, other_admin_agent):
    # Given the partner's sent invitation and an Admin agent of another partner
    invitation = invitation_in(Status.SENT)
    before = snapshot()

    # When the other agent revokes it by its id
    with pytest.raises(ResellerInvitation.DoesNotExist):
        run(
            services.invitation_revoke,
            invitation_id=invitation.pk,
            organization=other_admin_agent.membership.organization,
            actor=other_admin_agent,
        )

    # Then nothing changes; the link still works
    assert_nothing_changed(before)
    assert services.invitation_for_token(token=token_of(invitation)) == invitation


def test_revoking_is_refused_to_a_billing_admin(run, invitation_in, partner):
    # Given a sent invitation and a Billing admin of the partner
    invitation = invitation_in(Status.SENT)
    billing = agent_of(partner, Role.BILLING_ADMIN)
    before = snapshot()

    # When the Billing admin revokes it
    with pytest.raises(ActionNotAllowed) as refused:
        run(
            services.invitation_revoke,
            invitation_id=invitation.pk,
            organization=partner,
            actor=billing,
        )

    # Then it is refused; nothing changes
    assert refused.value.message == role_refusal("Billing admin")
    assert_nothing_changed(before)


# -- invitation_expire_sweep ---------------------------------------------------------------
def test_the_sweep_expires_sent_invitations_past_their_expiry_only(sent, draft, partner):
    # Given sent invitations that expired a minute ago, expire exactly now, and expire in a
    # minute, and a draft
    past, due, future = sent(), sent(), sent()
    for invitation, offset in ((past, -60), (due, 0), (future, 60)):
        ResellerInvitation.objects.filter(pk=invitation.pk).update(
            expires_at=NOW + dt.timedelta(seconds=offset)
        )
    a_draft = draft()
    untouched = {
        invitation.pk: ResellerInvitation.objects.filter(pk=invitation.pk).values().get()
        for invitation in (future, a_draft)
    }
    audit_before = AuditEvent.objects.count()

    # When the sweep runs at NOW
    expired = services.invitation_expire_sweep(now=NOW)

    # Then the two past their expiry are expired, each with a system audit event
    assert expired == 2
    for invitation in (past, due):
        assert reload(invitation).status == Status.EXPIRED
        assert events(invitation)[-1] == (
            partner,
            None,
            "invitation_expired",
            "sent",
            "expired",
            "",
        )
    assert AuditEvent.objects.count() == audit_before + 2
    # and the one not yet expired and the draft are untouched
    for pk, values in untouched.items():
        assert ResellerInvitation.objects.filter(pk=pk).values().get() == values
    assert mail.outbox == []

    # When the sweep runs again
    before = snapshot()
    again = services.invitation_expire_sweep(now=NOW)

    # Then nothing more changes
    assert again == 0
    assert_nothing_changed(before)


def test_the_sweep_leaves_accepted_and_revoked_invitations_alone(invitation_in):
    # Given an accepted and a revoked invitation, long past their expiry
    accepted, revoked = invitation_in(Status.ACCEPTED), invitation_in(Status.REVOKED)
    ResellerInvitation.objects.update(expires_at=NOW - dt.timedelta(days=1))
    before = snapshot()

    # When the sweep runs
    expired = services.invitation_expire_sweep(now=NOW)

    # Then nothing changes
    assert expired == 0
    assert_nothing_changed(before)
    assert (reload(accepted).status, reload(revoked).status) == (Status.ACCEPTED, Status.REVOKED)


def test_the_sweep_task_runs_the_sweep_and_returns_the_count(sent):
    # Given two sent invitations past their expiry and one still valid
    stale, stale_too, valid = sent(), sent(), sent()
    ResellerInvitation.objects.filter(pk__in=[stale.pk, stale_too.pk]).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    # When the periodic task runs, twice
    first, second = invitation_expire_sweep_task(), invitation_expire_sweep_task()

    # Then the first expires the two, the second finds nothing to do
    assert (first, second) == (2, 0)
    assert [reload(i).status for i in (stale, stale_too, valid)] == [
        Status.EXPIRED,
        Status.EXPIRED,
        Status.SENT,
    ]


# -- tenant isolation ----------------------------------------------------------------------
def test_a_partner_never_sees_another_partners_invitations(
    invitation_in, partner, other_organization, other_admin_agent
):
    # Given the partner's invitations and another partner's, in every status
    # (the draft last: a member's open draft is reused by their next request)
    mine = [invitation_in(status) for status in (Status.SENT, Status.REVOKED, Status.DRAFT)]
    theirs = [
        invitation_in(status, other_admin_agent)
        for status in (Status.SENT, Status.ACCEPTED, Status.EXPIRED, Status.DRAFT)
    ]

    # When each partner lists its invitations
    # Then each sees exactly its own, newest first
    assert list(invitation_list_for_org(organization=partner)) == mine[::-1]
    assert list(invitation_list_for_org(organization=other_organization)) == theirs[::-1]

    # When the partner guesses every id around them
    ids = [invitation.pk for invitation in mine + theirs]
    found = []
    for invitation_id in range(min(ids) - 5, max(ids) + 6):
        with contextlib.suppress(ResellerInvitation.DoesNotExist):
            found.append(invitation_get_for_org(organization=partner, invitation_id=invitation_id))

    # Then only its own are found
    assert found == mine
    for invitation in theirs:
        with pytest.raises(ResellerInvitation.DoesNotExist):
            invitation_get_for_org(organization=partner, invitation_id=invitation.pk)
