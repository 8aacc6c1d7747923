"""Who reviews a request: a reviewer takes one nobody has ("Assign to me"), a review lead gives
any open request to any reviewer; the queue filters mine, unassigned, overdue and due today;
the partner never sees who reviews."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from customers.validations.models import CustomerValidationRequest
from gccportal.exceptions import ActionNotAllowed, InvalidTransition
from gccportal.review_clock import review_time_zone
from reviews.models import AuditEvent, ReviewStatus
from reviews.selectors import reviewers_of
from reviews.services import review_assign
from tests.factories import CustomerValidationRequestFactory, ReviewerFactory, UserFactory
from tests.html import attr, element, elements, messages_of, queue_ids, text

pytestmark = pytest.mark.django_db

Status = ReviewStatus
CHANGELIST = "admin:customers_customervalidationrequest_changelist"
CHANGE = "admin:customers_customervalidationrequest_change"
ASSIGN = "admin:customers_customervalidationrequest_assign"


def assign(request, *, actor, assignee):
    return review_assign(
        model=CustomerValidationRequest, request_id=request.pk, actor=actor, assignee=assignee
    )


def assignments(request) -> list[tuple]:
    return list(
        AuditEvent.objects.for_subject(request)
        .filter(action="assigned")
        .values_list("actor", "note")
    )


# -- the service -------------------------------------------------------------------------


def test_a_reviewer_takes_a_request_nobody_has_and_then_hears_of_it(reviewer):
    # given: an open request nobody has, and another reviewer
    request = CustomerValidationRequestFactory()
    other = ReviewerFactory()
    assert set(reviewers_of(request)) >= {reviewer, other}

    # when
    assign(request, actor=reviewer, assignee=reviewer)

    # then: assigned, audited, and its reminders go to the reviewer alone
    request.refresh_from_db()
    assert request.assigned_reviewer == reviewer
    assert assignments(request) == [(reviewer.pk, str(reviewer))]
    assert reviewers_of(request) == [reviewer]

    # and taking it again records nothing more
    assign(request, actor=reviewer, assignee=reviewer)
    assert len(assignments(request)) == 1


def test_a_reviewer_neither_takes_anothers_request_nor_gives_one_away(reviewer):
    other = ReviewerFactory()
    theirs = CustomerValidationRequestFactory(assigned_reviewer=other)
    nobodys = CustomerValidationRequestFactory()

    with pytest.raises(ActionNotAllowed, match="only a review lead can reassign it"):
        assign(theirs, actor=reviewer, assignee=reviewer)
    with pytest.raises(ActionNotAllowed, match="Only a review lead gives a request"):
        assign(nobodys, actor=reviewer, assignee=other)

    theirs.refresh_from_db()
    nobodys.refresh_from_db()
    assert (theirs.assigned_reviewer, nobodys.assigned_reviewer) == (other, None)
    assert assignments(theirs) == assignments(nobodys) == []


def test_a_lead_gives_any_open_request_to_any_reviewer_but_not_to_anyone_else(lead, reviewer):
    other = ReviewerFactory()
    request = CustomerValidationRequestFactory(status=Status.IN_REVIEW, assigned_reviewer=other)

    assign(request, actor=lead, assignee=reviewer)

    request.refresh_from_db()
    assert request.assigned_reviewer == reviewer
    assert assignments(request) == [(lead.pk, str(reviewer))]
    # Not a reviewer (a partner user, a former reviewer): refused, named by the field.
    for nobody in (UserFactory(), ReviewerFactory(is_active=False)):
        with pytest.raises(ValidationError) as refused:
            assign(request, actor=lead, assignee=nobody)
        assert refused.value.message_dict == {"assignee": ["Choose a GCC reviewer."]}
    request.refresh_from_db()
    assert request.assigned_reviewer == reviewer


@pytest.mark.parametrize("status", [Status.APPROVED, Status.REJECTED, Status.WITHDRAWN])
def test_a_decided_request_is_assigned_to_nobody_new(lead, status):
    request = CustomerValidationRequestFactory(status=status, due_at=None)

    with pytest.raises(InvalidTransition, match="it can no longer be assigned"):
        assign(request, actor=lead, assignee=lead)


def test_only_reviewers_assign(admin_agent):
    request = CustomerValidationRequestFactory()

    with pytest.raises(ActionNotAllowed, match="Only GCC reviewers"):
        assign(request, actor=admin_agent, assignee=admin_agent)


# -- the change page -------------------------------------------------------------------------


def test_assign_to_me_on_the_change_page(client, reviewer):
    # given
    request = CustomerValidationRequestFactory()
    client.force_login(reviewer)
    page = client.get(reverse(CHANGE, args=[request.pk]))
    assert text(element(page, id="assigned-reviewer")) == "Assigned to nobody yet."
    assert elements(page, tag="select", id="id_assignee") == []  # a lead's only

    # when: the button posts
    response = client.post(
        reverse(ASSIGN, args=[request.pk]), {"assignee": reviewer.pk}, follow=True
    )

    # then
    assert messages_of(response) == [f"Assigned to {reviewer}."]
    assert text(element(response, id="assigned-reviewer")) == f"Assigned to {reviewer}"
    request.refresh_from_db()
    assert request.assigned_reviewer == reviewer
    # and the button is gone: the request is the reviewer's
    submits = [attr(i, "value") for i in elements(response, tag="input")]
    assert "Assign to me" not in submits


def test_a_lead_gives_a_request_to_a_reviewer_from_the_change_page(client, lead, reviewer):
    request = CustomerValidationRequestFactory(status=Status.IN_REVIEW, assigned_reviewer=lead)
    client.force_login(lead)

    page = client.get(reverse(CHANGE, args=[request.pk]))
    select = element(page, tag="select", id="id_assignee")
    options = [attr(o, "value") for o in elements(page, tag="option", within=select)]
    assert str(reviewer.pk) in options and str(lead.pk) not in options
    assert text(element(page, tag="label", within=element(page, css_class="review-assign")))
    response = client.post(
        reverse(ASSIGN, args=[request.pk]), {"assignee": reviewer.pk}, follow=True
    )

    assert messages_of(response) == [f"Assigned to {reviewer}."]
    request.refresh_from_db()
    assert request.assigned_reviewer == reviewer


def test_the_assign_view_refuses_what_the_service_refuses_and_bad_input(client, reviewer):
    other = ReviewerFactory()
    theirs = CustomerValidationRequestFactory(assigned_reviewer=other)
    client.force_login(reviewer)
    url = reverse(ASSIGN, args=[theirs.pk])

    taken = client.post(url, {"assignee": reviewer.pk}, follow=True)
    garbage = client.post(url, {"assignee": "x'; drop"}, follow=True)

    assert messages_of(taken) == [
        f"This request is assigned to {other}; only a review lead can reassign it."
    ]
    assert messages_of(garbage) == ["Choose a GCC reviewer."]
    assert client.get(url).status_code == 405
    theirs.refresh_from_db()
    assert theirs.assigned_reviewer == other


def test_staff_who_may_not_decide_cannot_assign(client, staff_without_decide):
    request = CustomerValidationRequestFactory()
    client.force_login(staff_without_decide)

    response = client.post(reverse(ASSIGN, args=[request.pk]), {"assignee": 1})

    assert response.status_code == 403
    request.refresh_from_db()
    assert request.assigned_reviewer is None


def test_the_partner_never_sees_who_reviews_its_request(client, reviewer, admin_agent):
    # given: the partner's request, taken by a reviewer
    request = CustomerValidationRequestFactory(
        organization=admin_agent.membership.organization, submitted_by=admin_agent
    )
    assign(request, actor=reviewer, assignee=reviewer)
    client.force_login(admin_agent)

    # when
    page = client.get(reverse("customers:validation_detail", args=[request.pk]))

    # then: no assignment in its timeline, no reviewer's name anywhere
    assert page.status_code == 200
    assert "Assigned" not in page.content.decode()
    assert str(reviewer) not in page.content.decode()
    assert reviewer.email not in page.content.decode()


# -- the queue's filters ---------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 12, 2, 15, 0, tzinfo=review_time_zone()), tick=False)
def test_the_queue_filters_mine_unassigned_overdue_and_due_today(client, reviewer):
    # given: open requests of mine, of another reviewer's and of nobody's, due at various times
    now = timezone.now()
    other = ReviewerFactory()

    def make(assignee, hours):
        return CustomerValidationRequestFactory(
            status=Status.IN_REVIEW if assignee else Status.SUBMITTED,
            assigned_reviewer=assignee,
            due_at=now + dt.timedelta(hours=hours),
        )

    mine_overdue = make(reviewer, -1)
    mine_today = make(reviewer, 3)  # 18:00 today in the review time zone
    theirs_tomorrow = make(other, 12)  # 03:00 tomorrow
    nobodys_today = make(None, 8)  # 23:00 today
    client.force_login(reviewer)

    def shown(**params):
        return set(queue_ids(client.get(reverse(CHANGELIST), params)))

    # when / then
    assert shown(assigned="me") == {mine_overdue.pk, mine_today.pk}
    assert shown(assigned="nobody") == {nobodys_today.pk}
    assert shown(overdue="yes") == {mine_overdue.pk}
    assert shown(due="today") == {mine_today.pk, nobodys_today.pk}
    assert shown(assigned="me", due="today") == {mine_today.pk}
    assert shown() == {mine_overdue.pk, mine_today.pk, theirs_tomorrow.pk, nobodys_today.pk}
