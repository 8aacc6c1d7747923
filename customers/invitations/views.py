"""Pages of reseller-relationship invitations: the partner's list, draft, Done and revoke; the
customer's acceptance and its confirmation (public, through the personalized links)."""

from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from customers.links import LinkExpired, LinkInvalid
from customers.selectors import transacting_partner_for
from gccportal.forms import errors_onto_form
from gccportal.language import link_language_activate
from gccportal.ratelimits import email_post_rate_limited
from gccportal.views import (
    audit_trail_context,
    found_or_404,
    page_of,
    transition_and_redirect,
    transition_confirm_page,
)
from partners.access import gcc_action_required, partner_member_required

from . import services
from .forms import InvitationAcceptForm, InvitationEmailForm
from .models import ResellerInvitation
from .selectors import invitation_get_for_org, invitation_list_for_org


def _invitation_for_org(request, pk: int) -> ResellerInvitation:
    return found_or_404(invitation_get_for_org, organization=request.organization, invitation_id=pk)


def _detail_url(invitation: ResellerInvitation) -> str:
    return reverse("customers:invitation_detail", args=[invitation.pk])


def _mailto(*, subject: str, body: str) -> str:
    """A mailto: URL with the draft (RFC 6068: no recipient, CRLF line breaks, all encoded).

    invitations.js rebuilds it as the partner edits the text; `safe` leaves unencoded exactly
    what its encodeURIComponent does, so both give the same URL.
    """

    def encode(text: str) -> str:
        return quote(text.replace("\r\n", "\n").replace("\n", "\r\n"), safe="!'()*")

    return f"mailto:?subject={encode(subject)}&body={encode(body)}"


@partner_member_required
def invitation_list(request):
    page = page_of(request, invitation_list_for_org(organization=request.organization))
    transacting = transacting_partner_for(organization=request.organization)
    return render(
        request,
        "customers/invitation_list.html",
        {
            "page": page,
            "provider": transacting if transacting.pk != request.organization.pk else None,
        },
    )


@gcc_action_required
@require_POST
def invitation_create(request):
    invitation = services.invitation_create(
        organization=request.organization, created_by=request.user
    )
    return redirect("customers:invitation_detail", pk=invitation.pk)


@partner_member_required
def invitation_detail(request, pk: int):
    if request.method == "POST":
        return _invitation_done(request, pk)
    invitation = _invitation_for_org(request, pk)
    form = None
    if (
        invitation.status == ResellerInvitation.Status.DRAFT
        and request.membership.can_take_gcc_actions
    ):
        form = InvitationEmailForm(
            initial={"subject": invitation.subject, "body": invitation.body},
            language=invitation.language,
        )
    return _invitation_page(request, invitation, form)


@gcc_action_required
def _invitation_done(request, pk: int):
    """Done: the partner sent the email (possibly edited) and the link starts working."""
    invitation = _invitation_for_org(request, pk)
    form = InvitationEmailForm(request.POST, language=invitation.language)
    if form.is_valid():
        try:
            # Refused if sent, revoked or accepted meanwhile (another tab, another agent).
            return transition_and_redirect(
                request,
                services.invitation_send,
                invitation_id=invitation.pk,
                **form.cleaned_data,
                success=_(
                    "The request is recorded as sent. Its link works for %(days)s days, once; "
                    "you'll receive an email when the customer accepts."
                )
                % {"days": settings.INVITATION_VALID_DAYS},
                to=_detail_url(invitation),
            )
        except ValidationError as exc:
            errors_onto_form(form, exc)
    return _invitation_page(request, invitation, form)


def _invitation_page(request, invitation: ResellerInvitation, form):
    if form is not None and form.is_bound:
        # The text as edited, so that "Open in mail app" sends what the partner sees.
        subject, body = form.data.get("subject", ""), form.data.get("body", "")
    else:
        subject, body = invitation.subject, invitation.body
    return render(
        request,
        "customers/invitation_detail.html",
        {
            "invitation": invitation,
            "form": form,
            "link": services.invitation_link(invitation),
            "mailto": _mailto(subject=subject, body=body),
            "valid_days": settings.INVITATION_VALID_DAYS,
            **audit_trail_context(request, invitation),
        },
    )


def _back_url(request, invitation: ResellerInvitation, back: str) -> str:
    """Back to the page the revoke link was on (the list or the request), never elsewhere."""
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return _detail_url(invitation)
    return back


@gcc_action_required
@require_GET
def invitation_revoke_confirm(request, pk: int):
    """ "Revoke request #N?": the page that asks, with the form that posts the revocation."""
    invitation = _invitation_for_org(request, pk)
    back = _back_url(request, invitation, request.GET.get("next", ""))
    return transition_confirm_page(
        request,
        invitation,
        possible=invitation.is_revocable,
        status=invitation.get_shown_status_display(),
        back=back,
        template="customers/invitation_revoke_confirm.html",
        context={"invitation": invitation, "back": back},
    )


@gcc_action_required
@require_POST
def invitation_revoke(request, pk: int):
    invitation = _invitation_for_org(request, pk)
    back = _back_url(request, invitation, request.POST.get("next", ""))
    return transition_and_redirect(
        request,
        services.invitation_revoke,
        invitation_id=invitation.pk,
        success=_("Request #%(pk)s was revoked: its link no longer works.") % {"pk": pk},
        to=back,
    )


def _invitation_unavailable(request, exc: services.InvitationUnavailable):
    """A link that can no longer be used: why, in the language it was sent in."""
    if exc.language:
        link_language_activate(request, exc.language)
    return _invitation_problem(request, exc.reason)


def _invitation_problem(request, reason: str):
    # Each page says only what happened to the link: never the partner nor the customer.
    status = 404 if reason == "invalid" else 410
    return render(
        request, "customers/invitation_link_problem.html", {"reason": reason}, status=status
    )


@never_cache
@email_post_rate_limited("invitation-accept")
def invitation_accept(request, token: str):
    try:
        invitation = services.invitation_for_token(token=token)
    except LinkInvalid:
        return _invitation_problem(request, "invalid")
    except services.InvitationUnavailable as exc:
        return _invitation_unavailable(request, exc)
    link_language_activate(request, invitation.language)

    if request.method == "POST":
        form = InvitationAcceptForm(request.POST)
        if form.is_valid():
            try:
                # Step one: a confirmation link goes to the person's mailbox at the domain.
                services.invitation_confirmation_send(token=token, answers=form.cleaned_data)
            except LinkInvalid:
                return _invitation_problem(request, "invalid")
            except services.InvitationUnavailable as exc:
                # Accepted, revoked or expired between the page and the click.
                return _invitation_unavailable(request, exc)
            except ValidationError as exc:
                errors_onto_form(form, exc)
            else:
                return render(
                    request,
                    "customers/invitation_check_email.html",
                    {"invitation": invitation, "email": form.cleaned_data["accepted_by_email"]},
                )
    else:
        form = InvitationAcceptForm()
    return render(
        request, "customers/invitation_accept.html", {"invitation": invitation, "form": form}
    )


@never_cache
@email_post_rate_limited("invitation-confirm")
def invitation_confirm(request, token: str):
    """Step two (public): the person opened the link mailed to them, and accepts."""
    try:
        invitation_token, answers = services.invitation_confirmation_read(token=token)
        invitation = services.invitation_for_token(token=invitation_token)
    except LinkExpired:
        return _invitation_problem(request, "confirmation_expired")
    except LinkInvalid:
        return _invitation_problem(request, "invalid")
    except services.InvitationUnavailable as exc:
        return _invitation_unavailable(request, exc)
    link_language_activate(request, invitation.language)
    if request.method == "POST":
        try:
            result = services.invitation_accept(token=invitation_token, answers=answers)
        except services.InvitationUnavailable as exc:
            return _invitation_unavailable(request, exc)
        except (LinkInvalid, ValidationError):
            return _invitation_problem(request, "invalid")
        return render(
            request,
            "customers/invitation_accept_done.html",
            {"invitation": result.invitation, "already_reseller": result.already_reseller},
        )
    return render(
        request,
        "customers/invitation_confirm.html",
        {"invitation": invitation, "answers": answers},
    )
