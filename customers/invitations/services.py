"""State changes of reseller-relationship invitations: create the draft, send, revoke, the
customer's acceptance in two steps (a confirmation mailed to an address of its domain, then
the acceptance, which creates the relationship), and the expiry sweep."""

import datetime as dt
from dataclasses import dataclass
from typing import TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from customers.domains import email_is_at_domain
from customers.links import LinkInvalid
from customers.models import Customer, CustomerRelationship
from customers.selectors import transacting_partner_for
from customers.services import provider_relationship_create
from gccportal.exceptions import ServiceError
from partners.models import Organization
from partners.services import gcc_actor_require
from reviews.services import audit_event_record, transition_audit, transition_make

from . import emails
from .links import (
    acceptance_confirmation_path,
    acceptance_confirmation_read,
    invitation_nonce_new,
    invitation_read,
    invitation_token,
    invitation_url,
)
from .models import ResellerInvitation
from .selectors import invitation_draft_for


def _invitation_lock(*, invitation_id: int, organization=None) -> ResellerInvitation:
    """The invitation, locked. With `organization`, only that organization's: another one's
    is ResellerInvitation.DoesNotExist, as if it did not exist."""
    invitation = (
        ResellerInvitation.objects.select_for_update(of=("self",))
        .select_related("organization", "on_behalf_of", "created_by")
        .get(pk=invitation_id)
    )
    if organization is not None and invitation.organization_id != organization.pk:
        raise ResellerInvitation.DoesNotExist
    return invitation


@transaction.atomic
def invitation_create(*, organization: Organization, created_by) -> ResellerInvitation:
    """A draft email, in the partner's language, holding the personalized link.

    One open draft per member: while `created_by` has a draft for the organization (made on
    behalf of the same provider), that draft is returned and nothing is created, so that a
    second click (or a double submit) does not leave a second draft. The organization's row is
    locked first: two clicks at once queue here, and the second finds the first one's draft.
    """
    gcc_actor_require(user=created_by, organization=organization)
    Organization.objects.select_for_update().get(pk=organization.pk)
    transacting = transacting_partner_for(organization=organization)
    on_behalf_of = transacting if transacting.pk != organization.pk else None
    draft = invitation_draft_for(organization=organization, created_by=created_by)
    if draft is not None and draft.on_behalf_of_id == getattr(on_behalf_of, "pk", None):
        return draft
    invitation = ResellerInvitation.objects.create(
        organization=organization,
        on_behalf_of=on_behalf_of,
        nonce=invitation_nonce_new(),
        subject="-",
        body="-",
        language=created_by.language,
        created_by=created_by,
    )
    context = {
        "partner_name": organization.legal_name,
        "provider_name": invitation.on_behalf_of.legal_name if invitation.on_behalf_of else "",
        "sender_name": created_by.get_full_name() or created_by.email,
        "link": invitation_link(invitation),
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    with translation.override(invitation.language):
        invitation.subject = " ".join(
            render_to_string("customers/invitation/draft.subject.txt", context).split()
        )[:200]
        invitation.body = render_to_string("customers/invitation/draft.body.txt", context).strip()
    invitation.save(update_fields=["subject", "body"])
    transition_audit(subject=invitation, actor=created_by, action="invitation_drafted", previous="")
    return invitation


def invitation_link(invitation: ResellerInvitation) -> str:
    return invitation_url(invitation_id=invitation.pk, nonce=invitation.nonce)


@transaction.atomic
def invitation_send(
    *, invitation_id: int, organization: Organization, actor, subject: str, body: str
) -> ResellerInvitation:
    """Done: the partner sent the (possibly edited) email. The link must still be in it."""
    gcc_actor_require(user=actor, organization=organization)
    invitation = _invitation_lock(invitation_id=invitation_id, organization=organization)
    link = invitation_link(invitation)
    errors = {}
    if not subject.strip():
        errors["subject"] = _("Enter a subject for the email.")
    if link not in body:
        errors["body"] = _(
            "The personalized link was removed from the message. The customer needs it to "
            "accept: put this link back into the message: %(link)s"
        ) % {"link": link}
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    transition_make(
        invitation,
        move="send",
        actor=actor,
        action="invitation_sent",
        changes={
            "subject": subject.strip()[:200],
            "body": body.strip(),
            "sent_at": now,
            "expires_at": now + dt.timedelta(days=settings.INVITATION_VALID_DAYS),
        },
    )
    return invitation


@transaction.atomic
def invitation_issue(*, organization: Organization, actor) -> ResellerInvitation:
    """A link ready to use, for a tool that sends it itself (the API's relationship
    request): the actor's sent invitation while it can still be accepted, else a new one,
    drafted and marked sent at once (valid INVITATION_VALID_DAYS, single use, revocable on
    the Reseller relationship requests page like any other)."""
    gcc_actor_require(user=actor, organization=organization)
    usable = (
        ResellerInvitation.objects.filter(
            organization=organization,
            created_by=actor,
            status=ResellerInvitation.Status.SENT,
            expires_at__gt=timezone.now(),
        )
        .order_by("-sent_at", "-pk")
        .first()
    )
    if usable is not None:
        return usable
    draft = invitation_create(organization=organization, created_by=actor)
    return invitation_send(
        invitation_id=draft.pk,
        organization=organization,
        actor=actor,
        subject=draft.subject,
        body=draft.body,
    )


@transaction.atomic
def invitation_revoke(
    *, invitation_id: int, organization: Organization, actor
) -> ResellerInvitation:
    gcc_actor_require(user=actor, organization=organization)
    invitation = _invitation_lock(invitation_id=invitation_id, organization=organization)
    transition_make(
        invitation,
        move="revoke",
        actor=actor,
        action="invitation_revoked",
        changes={"revoked_at": timezone.now(), "revoked_by": actor},
    )
    return invitation


class InvitationUnavailable(ServiceError):
    """The link can't be used: revoked, expired, already used, or not sent."""

    def __init__(self, message: str, *, reason: str, language: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        # The language the link was sent in: its page says why in that language.
        self.language = language


def invitation_for_token(*, token: str, now: dt.datetime | None = None) -> ResellerInvitation:
    """The invitation a customer's link opens, if it may still be accepted.

    Raises LinkInvalid (forged, tampered, unknown) or InvitationUnavailable (with a reason:
    accepted, revoked, expired, not_sent). Reads only; changes nothing.
    """
    invitation_id, nonce = invitation_read(token)
    invitation = (
        ResellerInvitation.objects.select_related("organization", "on_behalf_of", "customer")
        .filter(pk=invitation_id, nonce=nonce)
        .first()
    )
    if invitation is None:
        raise LinkInvalid
    _invitation_usable_require(invitation, now=now or timezone.now())
    return invitation


def _invitation_usable_require(invitation: ResellerInvitation, *, now: dt.datetime) -> None:
    Status = ResellerInvitation.Status
    if invitation.status == Status.ACCEPTED:
        raise InvitationUnavailable(
            _("This invitation was already accepted. The link works only once."),
            reason="accepted",
            language=invitation.language,
        )
    if invitation.status == Status.REVOKED:
        raise InvitationUnavailable(
            _("The partner withdrew this invitation. Ask it for a new one if needed."),
            reason="revoked",
            language=invitation.language,
        )
    if invitation.status == Status.EXPIRED or (
        invitation.status == Status.SENT and invitation.expires_at <= now
    ):
        raise InvitationUnavailable(
            _("This invitation has expired. Ask the partner to send you a new one."),
            reason="expired",
            language=invitation.language,
        )
    if invitation.status != Status.SENT:
        raise InvitationUnavailable(
            _("This invitation has not been sent yet."),
            reason="not_sent",
            language=invitation.language,
        )


class AcceptanceAnswers(TypedDict):
    """What the customer answers on the acceptance page; the confirmation link carries them."""

    company_name: str
    primary_domain: str
    accepted_by_name: str
    accepted_by_email: str


def _acceptance_answers_clean(answers: AcceptanceAnswers) -> AcceptanceAnswers:
    """The answers trimmed (the domain and the email in lower case), or a ValidationError
    naming each problem: the organization's name and primary domain, and a work email at
    exactly that domain (customers/domains.py): the confirmation link goes there, and it is
    the customer's only proof, whether the customer is new or already in the portal."""
    cleaned = AcceptanceAnswers(
        company_name=answers["company_name"].strip(),
        primary_domain=answers["primary_domain"].strip().lower(),
        accepted_by_name=answers["accepted_by_name"].strip(),
        accepted_by_email=answers["accepted_by_email"].strip().lower(),
    )
    domain = cleaned["primary_domain"]
    errors = {}
    if not cleaned["company_name"]:
        errors["company_name"] = _("Enter your organization's name.")
    if not domain:
        errors["primary_domain"] = _("Enter your organization's primary domain.")
    elif not email_is_at_domain(cleaned["accepted_by_email"], domain):
        errors["accepted_by_email"] = _(
            "Enter your work email address at %(domain)s: we send the confirmation link there."
        ) % {"domain": domain}
    if errors:
        raise ValidationError(errors)
    return cleaned


def invitation_confirmation_send(
    *, token: str, answers: AcceptanceAnswers, now: dt.datetime | None = None
) -> ResellerInvitation:
    """First step of acceptance: prove the person controls a mailbox of the domain.

    Nothing is accepted yet: a link holding the answers is emailed to `accepted_by_email`,
    which must be an address of the confirmed domain. Whoever holds the invitation link (the
    partner included) can't claim another organization's domain without that mailbox.
    """
    invitation = invitation_for_token(token=token, now=now)
    answers = _acceptance_answers_clean(answers)
    with transaction.atomic():
        emails.invitation_confirmation(
            invitation,
            answers=answers,
            confirm_path=acceptance_confirmation_path(
                invitation_id=invitation.pk, nonce=invitation.nonce, answers=answers
            ),
        )
    return invitation


def invitation_confirmation_read(*, token: str) -> tuple[str, dict]:
    """(invitation token, answers) of a confirmation link, for invitation_accept.

    Raises LinkInvalid / LinkExpired for a bad or old confirmation link.
    """
    invitation_id, nonce, answers = acceptance_confirmation_read(token)
    return invitation_token(invitation_id=invitation_id, nonce=nonce), answers


@dataclass(frozen=True)
class InvitationAcceptance:
    invitation: ResellerInvitation
    customer: Customer
    already_reseller: bool


@transaction.atomic
def invitation_accept(
    *, token: str, answers: AcceptanceAnswers, now: dt.datetime | None = None
) -> InvitationAcceptance:
    """The customer accepts: the partner now manages it. One transaction, single use.

    The customer is matched by primary domain (its GCC qualification kept) or created. If the
    partner already manages it, nothing is duplicated and the result says so.
    """
    now = now or timezone.now()
    invitation_id, nonce = invitation_read(token)
    try:
        # Lock: two acceptances of one link at once — the second sees "accepted".
        invitation = _invitation_lock(invitation_id=invitation_id)
    except ResellerInvitation.DoesNotExist as exc:
        raise LinkInvalid from exc
    if invitation.nonce != nonce:
        raise LinkInvalid
    _invitation_usable_require(invitation, now=now)
    # The answers come from a confirmation link, checked when it was sent; checked again:
    # an existing customer is joined only by a mailbox at exactly its domain.
    answers = _acceptance_answers_clean(answers)
    domain = answers["primary_domain"]
    try:
        with transaction.atomic():
            customer, _created = Customer.objects.get_or_create(
                primary_domain=domain, defaults={"company_name": answers["company_name"]}
            )
    except IntegrityError:  # created by a concurrent acceptance a moment ago
        customer = Customer.objects.get(primary_domain=domain)
    relationship, created = CustomerRelationship.objects.get_or_create(
        organization=invitation.organization, customer=customer
    )
    if relationship.indirect_reseller_id is not None:
        # A provider that saw the customer through one of its resellers now manages it itself.
        relationship.indirect_reseller = None
        relationship.save(update_fields=["indirect_reseller"])
        created = True
    # An indirect reseller's customer is its provider's too.
    provider_relationship_create(reseller=invitation.organization, customer=customer)
    name, email = answers["accepted_by_name"][:100], answers["accepted_by_email"]
    transition_make(
        invitation,
        move="accept",
        actor=None,
        action="invitation_accepted",
        changes={
            "accepted_at": now,
            "accepted_by_name": name,
            "accepted_by_email": email,
            "customer": customer,
        },
        note=f"{name} <{email}>",
    )
    if created:
        audit_event_record(
            subject=customer,
            organization=invitation.organization,
            actor=None,
            action="relationship_created",
            note=str(invitation),
        )
    emails.invitation_accepted(invitation, already_reseller=not created)
    return InvitationAcceptance(
        invitation=invitation, customer=customer, already_reseller=not created
    )


def invitation_expire_sweep(*, now: dt.datetime | None = None) -> int:
    """Mark sent invitations past their expiry as expired (idempotent)."""
    now = now or timezone.now()
    expired = 0
    for invitation_id in ResellerInvitation.objects.filter(
        status=ResellerInvitation.Status.SENT, expires_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            invitation = (
                ResellerInvitation.objects.select_for_update(skip_locked=True)
                .filter(pk=invitation_id, status=ResellerInvitation.Status.SENT)
                .first()
            )
            if invitation is None:
                continue
            transition_make(invitation, move="expire", actor=None, action="invitation_expired")
            expired += 1
    return expired
