"""What the partner pages' views share: a page of a list, an object found by a scoped selector
(or a 404), the context of a detail page's audit trail, and a POST that makes one transition."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from gccportal.exceptions import ActionNotAllowed, InvalidTransition, ServiceError
from gccportal.forms import errors_onto_form
from partners.models import Membership
from reviews.models import REVIEW_TEAM_ACTIONS
from reviews.selectors import audit_event_list_for_subject, review_request_for_key

PAGE_SIZE = 20

T = TypeVar("T")


def page_of(request, object_list, *, per_page: int = PAGE_SIZE) -> Page:
    """The page of `object_list` that the `page` query parameter asks for (the first when it
    names none, the last when it names one past the end). `object_list` is a queryset, or
    anything a Paginator takes: one with its own `count()` and slicing (e.g.
    `customers.selectors.CustomerPages`, which reads a page in two steps)."""
    return page_get(object_list, request.GET.get("page"), per_page=per_page)


def page_get(object_list, number, *, per_page: int = PAGE_SIZE) -> Page:
    """`Paginator(object_list, per_page).get_page(number)`, without counting a list that fits
    on its first page (most customers' orders, a new organization's requests): the first page
    reads one row more than it shows, and when there is no such row the count is known. Other
    pages, and a longer list's first, are counted as Paginator does."""
    paginator = Paginator(object_list, per_page)
    # (a list with a count of its own, e.g. customers.selectors.CustomerPages, keeps it)
    if number not in (None, "", "1") or not isinstance(object_list, QuerySet):
        return paginator.get_page(number)
    rows = list(object_list[: per_page + 1])
    if len(rows) <= per_page:
        paginator.count = len(rows)  # (a cached property: no count() is run)
    return paginator._get_page(rows[:per_page], 1, paginator)


def found_or_404(selector: Callable[..., T], /, **kwargs: Any) -> T:
    """What a selector scoped to the organization finds, e.g. `order_get_for_org`: another
    organization's ID is simply "not found", a 404 like an ID that exists nowhere."""
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def audit_trail_context(request, subject) -> dict:
    """The context of a detail page's audit trail (templates/includes/timeline.html): the
    subject's events, each saying whether its actor is a member of the viewer's organization,
    whose name it shows (other actors are the GCC review team, the customer contact or the
    system)."""
    return audit_trail(request.organization, subject)


def audit_trail(organization, subject) -> dict:
    """`subject`'s audit events but the review team's own (REVIEW_TEAM_ACTIONS: who reviews
    it is not the partner's to know), each with `by_member`: whether its actor is one of
    `organization`'s members (whose names a trail shows; other actors are told by their
    role), read with the events: for a page or an API response."""
    by_member = Membership.objects.filter(organization=organization, user=OuterRef("actor"))
    return {
        "events": audit_event_list_for_subject(subject=subject)
        .exclude(action__in=REVIEW_TEAM_ACTIONS)
        .annotate(by_member=Exists(by_member))
    }


def transition_confirm_page(
    request, subject, /, *, possible: bool, status: str, back: str, template: str, context: dict
) -> HttpResponse:
    """The page that asks before an irreversible move of `subject` (its form posts the move):
    `template` with `context`; or, when the move is no longer `possible` (closed meanwhile in
    another tab, by a colleague), a redirect to `back` with what the move itself would be told
    (the model's `transition_refused_message`, with the `status` shown)."""
    if not possible:
        messages.error(
            request, str(subject.transition_refused_message) % {"status": status.lower()}
        )
        return redirect(back)
    return render(request, template, context)


def transition_and_redirect(
    request,
    service: Callable[..., object],
    /,
    *,
    success: str,
    to: str,
    refusals: tuple[type[ServiceError], ...] = (InvalidTransition,),
    **arguments: Any,
) -> HttpResponseRedirect:
    """A partner member's POST that makes one transition of an object of their organization:
    `service(organization=request.organization, actor=request.user, **arguments)`. Then a
    redirect to the URL `to`, with `success` as a message, or with the service's refusal (an
    InvalidTransition, or one of `refusals`) as an error message. Any other error is the
    caller's to handle (e.g. a ValidationError, shown on the form)."""
    try:
        service(organization=request.organization, actor=request.user, **arguments)
    except refusals as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(to)


def withdraw_views(
    *,
    find: Callable[[Any, int], Any],
    service: Callable[..., object],
    detail: str,
    template: str,
    success: str,
    guard: Callable,
) -> tuple[Callable, Callable]:
    """The two views that withdraw a reviewed request of the member's organization, the same
    for every kind: the page that asks ("Withdraw request #N?", `template`) and the POST that
    withdraws with `service`, back to the request's page (URL name `detail`) with `success`.
    `find(request, pk)` finds the request (a 404 for another organization's); `guard` is
    the decorator of who may (the roles that take GCC actions)."""

    @guard
    @require_GET
    def withdraw_confirm(request, pk: int):
        validation = find(request, pk)
        return transition_confirm_page(
            request,
            validation,
            possible=validation.is_open,
            status=validation.get_status_display(),
            back=reverse(detail, args=[validation.pk]),
            template=template,
            context={"validation": validation},
        )

    @guard
    @require_POST
    def withdraw(request, pk: int):
        validation = find(request, pk)
        return transition_and_redirect(
            request,
            service,
            request_id=validation.pk,
            success=success,
            to=reverse(detail, args=[validation.pk]),
        )

    return withdraw_confirm, withdraw


@dataclass(frozen=True)
class RequestSubmission:
    """How a kind's *submit a request* page answers, the same for every kind: a replayed post
    (a retry after a timeout) gets the first post's answer, whatever the answers say now; an
    organization that can't submit now is told why (`block_reason`, `unavailable`); a valid
    form goes to the kind's `submit` service, whose refusal is the unavailable page (409) and
    whose ValidationError is shown on the form."""

    model: type
    block_reason: Callable[..., str | None]
    submit: Callable[..., Any]
    submitted: Callable[[Any, Any], HttpResponse]
    unavailable: Callable[..., HttpResponse]

    def before_form(self, request, form) -> HttpResponse | None:
        """The answer before the form is looked at (None: go on). `form` is the posted one,
        None for a GET: a post is answered by `submit_form`."""
        if form is not None:
            return None
        reason = self.block_reason(organization=request.organization)
        if reason:
            return self.unavailable(request, reason)
        return None

    def submit_form(self, request, form) -> HttpResponse | None:
        """The answer to a posted form, or None when the form is to be shown again with its
        errors. A valid form goes to the service, which answers a replay and a refusal itself
        (in its transaction); an invalid one is first checked for those two, so that a
        replay, or an organization that can't submit, never sees the form's errors."""
        if not form.is_valid():
            replayed = review_request_for_key(
                model=self.model, organization=request.organization, key=form.posted_key()
            )
            if replayed:
                return self.submitted(request, replayed)
            reason = self.block_reason(organization=request.organization)
            if reason:
                return self.unavailable(request, reason, status=409)
            return None
        try:
            validation = self.submit(
                organization=request.organization, submitted_by=request.user, **form.cleaned_data
            )
        except ActionNotAllowed as exc:
            return self.unavailable(request, exc.message, status=409)
        except ValidationError as exc:
            errors_onto_form(form, exc)
            return None
        return self.submitted(request, validation)
