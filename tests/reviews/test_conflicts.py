"""Conflict rules: what a reviewer should weigh before deciding, each rule with a case that
finds it and one that does not; the change page lists them and they block nothing."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.validations.models import CustomerValidationRequest
from customers.validations.selectors import customer_validation_conflicts
from partners.models import PartnerValidationRequest
from partners.selectors import partner_validation_conflict_count, partner_validation_conflicts
from reviews.models import ReviewStatus
from reviews.services import review_reject
from tests.factories import (
    CustomerValidationRequestFactory,
    OrganizationFactory,
    PartnerValidationRequestFactory,
)
from tests.helpers import customer_of
from tests.html import attr, decision_panel, element, elements, text

pytestmark = pytest.mark.django_db

Status = ReviewStatus


def codes(conflicts) -> list[str]:
    return [conflict.code for conflict in conflicts]


def queue_counts(*requests) -> list[int]:
    """The partner queue's conflict count of each request."""
    counted = dict(
        PartnerValidationRequest.objects.annotate(
            count=partner_validation_conflict_count()
        ).values_list("pk", "count")
    )
    return [counted[request.pk] for request in requests]


def request_for(domain: str = "springfield.gov", **fields):
    return CustomerValidationRequestFactory(government_domain=domain, **fields)


# -- customer validation -------------------------------------------------------------------


def test_a_clean_customer_request_has_no_conflict():
    assert customer_validation_conflicts(request=request_for()) == []


@pytest.mark.parametrize(
    ("status", "found"),
    [
        (Status.SUBMITTED, True),
        (Status.INFO_REQUESTED, True),
        (Status.APPROVED, True),
        (Status.WITHDRAWN, False),
    ],
)
def test_the_same_domain_pending_or_validated_under_another_partner(status, found):
    other = request_for(status=status, due_at=None)
    request = request_for()
    # The same partner's other request for the domain is not a conflict.
    request_for(organization=request.organization)

    conflicts = customer_validation_conflicts(request=request)

    assert ("domain_elsewhere" in codes(conflicts)) is found
    if found:
        [message] = [c.message for c in conflicts if c.code == "domain_elsewhere"]
        assert other.organization.legal_name in message and f"#{other.pk}" in message


def test_the_domain_already_a_gcc_customer_of_another_partner():
    request = request_for()
    elsewhere = OrganizationFactory(legal_name="Fabrikam Gov")
    customer_of(elsewhere, gcc=True, primary_domain="springfield.gov")
    # Not a GCC customer, or the request's own partner's: no conflict of this kind.
    customer_of(OrganizationFactory(), primary_domain="ogden.gov")
    own = request_for("ogden.gov", organization=request.organization)
    customer_of(own.organization, gcc=True, primary_domain="shelby.gov")
    mine = request_for("shelby.gov", organization=request.organization)

    found = customer_validation_conflicts(request=request)

    assert codes(found) == ["customer_elsewhere"]
    assert "Fabrikam Gov" in found[0].message
    assert codes(customer_validation_conflicts(request=own)) == []
    assert codes(customer_validation_conflicts(request=mine)) == []


def test_the_same_contact_on_another_partners_request():
    other = request_for("ogden.gov", contact_email="robin@springfield.gov")
    request = request_for(contact_email="robin@springfield.gov")
    same_partner = request_for(
        "shelby.gov", organization=request.organization, contact_email="dana@shelby.gov"
    )
    request_for("cedar.gov", organization=request.organization, contact_email="dana@shelby.gov")

    found = customer_validation_conflicts(request=request)

    assert codes(found) == ["contact_elsewhere"]
    assert f"#{other.pk}" in found[0].message
    assert codes(customer_validation_conflicts(request=same_partner)) == []


def test_an_earlier_rejection_of_the_domain_with_its_reason():
    now = timezone.now()
    rejected = request_for(
        status=Status.REJECTED,
        due_at=None,
        submitted_at=now - dt.timedelta(days=10),
        decision_note="Not a government entity.",
    )
    request_for(status=Status.APPROVED, due_at=None, submitted_at=now - dt.timedelta(days=20))
    request = request_for(organization=rejected.organization, submitted_at=now)
    # A rejection of a request submitted after another is not an earlier one for it.
    request_for(
        "ogden.gov", status=Status.REJECTED, due_at=None, submitted_at=now + dt.timedelta(days=1)
    )
    earlier_than_later = request_for("ogden.gov", submitted_at=now - dt.timedelta(days=1))

    found = customer_validation_conflicts(request=request)

    assert "rejected_before" in codes(found)
    [message] = [c.message for c in found if c.code == "rejected_before"]
    assert "Not a government entity." in message and f"#{rejected.pk}" in message
    assert "rejected_before" not in codes(customer_validation_conflicts(request=earlier_than_later))


def test_a_transacting_tenant_id_that_is_not_the_transacting_partners():
    mismatched = request_for(commercial_tenant_id=uuid.uuid4())
    matching = request_for("ogden.gov")

    found = customer_validation_conflicts(request=mismatched)

    assert codes(found) == ["tenant_mismatch"]
    assert str(mismatched.transacting_partner.commercial_tenant_id) in found[0].message
    assert customer_validation_conflicts(request=matching) == []


# -- partner validation ----------------------------------------------------------------------


def test_a_partner_tenant_id_also_another_organizations():
    # Given requests giving another organization's tenant ID, and one on another's request
    tailspin = OrganizationFactory(legal_name="Tailspin Federal")
    theirs = PartnerValidationRequestFactory(commercial_tenant_id=tailspin.commercial_tenant_id)
    shared = uuid.uuid4()
    first = PartnerValidationRequestFactory(commercial_tenant_id=shared)
    second = PartnerValidationRequestFactory(commercial_tenant_id=shared)
    clean = PartnerValidationRequestFactory()

    # When / Then
    found = partner_validation_conflicts(request=theirs)
    assert codes(found) == ["tenant_elsewhere"]
    assert "Tailspin Federal" in found[0].message
    assert codes(partner_validation_conflicts(request=first)) == ["tenant_elsewhere"]
    assert second.organization.legal_name in partner_validation_conflicts(request=first)[0].message
    assert partner_validation_conflicts(request=clean) == []
    # The queue's count agrees.
    assert queue_counts(theirs, first, clean) == [1, 1, 0]


def test_an_earlier_rejection_of_the_partner_with_its_reason():
    now = timezone.now()
    rejected = PartnerValidationRequestFactory(
        status=Status.REJECTED,
        due_at=None,
        submitted_at=now - dt.timedelta(days=30),
        decision_note="The tenant is not used for government customers.",
    )
    request = PartnerValidationRequestFactory(organization=rejected.organization)
    other = PartnerValidationRequestFactory()

    found = partner_validation_conflicts(request=request)

    assert codes(found) == ["rejected_before"]
    assert "The tenant is not used for government customers." in found[0].message
    assert partner_validation_conflicts(request=other) == []
    assert queue_counts(request, other) == [1, 0]


# -- the change page -------------------------------------------------------------------------


def test_the_change_page_lists_the_conflicts_and_still_offers_the_decisions(client, reviewer):
    other = request_for()
    request = request_for(contact_email=other.contact_email)
    clean = request_for("ogden.gov")
    client.force_login(reviewer)

    change = "admin:customers_customervalidationrequest_change"
    page = client.get(reverse(change, args=[request.pk]))
    quiet = client.get(reverse(change, args=[clean.pk]))

    panel = element(page, id="conflicts")
    items = elements(page, tag="li", within=panel)
    assert [text(li).split(" ")[0] for li in items] == ["springfield.gov", "The"]
    assert text(elements(page, tag="p", within=panel)[0]) == (
        "2 kinds of conflict to weigh before deciding. They block nothing: you decide."
    )
    # They block nothing: the decision is still offered.
    buttons = [attr(i, "value") for i in elements(page, tag="input", within=decision_panel(page))]
    assert "Start review" in buttons
    assert text(elements(quiet, tag="p", within=element(quiet, id="conflicts"))[0]).startswith(
        "None found"
    )


# -- the queue -------------------------------------------------------------------------------


def test_the_queues_count_is_the_number_of_rules_the_page_finds(client, reviewer):
    # given: requests meeting none, one, and several rules
    now = timezone.now()
    request_for(status=Status.APPROVED, due_at=None)  # another partner validated the domain
    request_for(
        "ogden.gov", status=Status.REJECTED, due_at=None, submitted_at=now - dt.timedelta(days=3)
    )
    # the domain (validated elsewhere) and the contact (on the ogden.gov request)
    several = request_for(contact_email="robin.clerk@ogden.gov")
    rejected_before = request_for("ogden.gov", organization=several.organization)
    mismatched = request_for("cedar.gov", commercial_tenant_id=uuid.uuid4())
    customer_of(OrganizationFactory(), gcc=True, primary_domain="elm.gov")
    gcc_elsewhere = request_for("elm.gov")
    clean = request_for("birch.gov")
    client.force_login(reviewer)
    changelist = reverse("admin:customers_customervalidationrequest_changelist")

    # when
    response = client.get(changelist, {"queue": "all"})
    with_conflicts = client.get(changelist, {"queue": "all", "conflicts": "yes"})

    # then: each row's count is the number of kinds its page lists
    counts = {row.pk: row.conflict_count for row in response.context["cl"].result_list}
    for request in (several, rejected_before, mismatched, gcc_elsewhere, clean):
        kinds = {c.code for c in customer_validation_conflicts(request=request)}
        assert counts[request.pk] == len(kinds), (request.government_domain, kinds)
    assert counts[several.pk] == 2
    assert counts[clean.pk] == 0
    shown = {row.pk for row in with_conflicts.context["cl"].result_list}
    assert clean.pk not in shown
    assert {several.pk, rejected_before.pk, mismatched.pk, gcc_elsewhere.pk} <= shown
    headers = [text(th) for th in elements(response, tag="th", css_class="column-conflicts")]
    assert headers == ["Conflicts"]


def test_a_decision_records_the_conflicts_it_was_shown(reviewer):
    # given: a request whose domain another partner validated, and a clean one, in review
    request_for(status=Status.APPROVED, due_at=None)
    met = request_for(status=Status.IN_REVIEW, assigned_reviewer=reviewer)
    clean = request_for("birch.gov", status=Status.IN_REVIEW, assigned_reviewer=reviewer)

    # when: both are decided
    review_reject(
        model=CustomerValidationRequest, request_id=met.pk, reviewer=reviewer, reason="Taken."
    )
    review_reject(
        model=CustomerValidationRequest, request_id=clean.pk, reviewer=reviewer, reason="No."
    )

    # then
    met.refresh_from_db()
    clean.refresh_from_db()
    # (the same domain, and the same contact, robin.clerk@springfield.gov, as the other one)
    assert (met.conflicts_seen, clean.conflicts_seen) == (
        ["contact_elsewhere", "domain_elsewhere"],
        [],
    )
