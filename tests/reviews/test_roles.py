"""Who reviews: the reviewer groups' permissions (reviews.roles) and the reviewers a request's
emails go to (reviews.selectors)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from reviews.roles import reviewer_groups_sync
from reviews.selectors import reviewer_lead_users, reviewer_users, reviewers_of
from tests.factories import ReviewerFactory, UserFactory
from tests.reviews_testapp.models import MinimalRequest

REVIEWER = {
    # every kind of reviewed request, read from the models: partner and customer validation,
    # and the tests' minimal kind, which no code of the reviewer roles names
    "partners.view_partnervalidationrequest",
    "partners.decide_partnervalidationrequest",
    "customers.view_customervalidationrequest",
    "customers.decide_customervalidationrequest",
    "reviews_testapp.view_minimalrequest",
    "reviews_testapp.decide_minimalrequest",
    # the audit trail
    "reviews.view_auditevent",
    # what the apps declare on their AppConfig (reviewer_permissions)
    "partners.view_organization",
    "partners.view_membership",
    "partners.view_resellerqualification",
    "customers.view_customer",
    "customers.view_customerqualification",
    "customers.view_gccvalidation",
    "orders.view_offer",
    "orders.add_offer",
    "orders.change_offer",
    "orders.view_order",
    "orders.view_subscription",
}
LEAD = {
    *REVIEWER,
    # giving a request of every kind to another reviewer, read from the models
    "partners.reassign_partnervalidationrequest",
    "customers.reassign_customervalidationrequest",
    "reviews_testapp.reassign_minimalrequest",
    "notifications.view_outboxmessage",
    "notifications.resend_outboxmessage",
    "jobs.view_taskdelivery",
}


def permissions_of(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{permission.content_type.app_label}.{permission.codename}"
        for permission in group.permissions.select_related("content_type")
    }


@pytest.mark.django_db
def test_the_reviewer_groups_get_exactly_the_reviewers_permissions():
    # Given the reviewer groups without any permission
    for name in (settings.REVIEWER_GROUP_NAME, settings.REVIEWER_LEAD_GROUP_NAME):
        Group.objects.get(name=name).permissions.clear()

    # When they are synced (as after every app's migrations)
    reviewer_groups_sync()

    # Then each holds exactly its permissions
    assert permissions_of(settings.REVIEWER_GROUP_NAME) == REVIEWER
    assert permissions_of(settings.REVIEWER_LEAD_GROUP_NAME) == LEAD


@pytest.mark.django_db
def test_reviewers_are_the_active_staff_of_the_reviewer_group():
    # Given a reviewer, a lead (also a reviewer), and users who are not (or no longer) reviewers
    reviewer = ReviewerFactory()
    lead = ReviewerFactory(groups=[settings.REVIEWER_LEAD_GROUP_NAME])
    ReviewerFactory(is_active=False)
    ReviewerFactory(is_staff=False)
    UserFactory(is_staff=True)

    # When / Then
    assert set(reviewer_users()) == {reviewer, lead}
    assert list(reviewer_lead_users()) == [lead]


@pytest.mark.django_db
def test_a_requests_progress_goes_to_its_reviewer_else_to_every_reviewer():
    # Given two reviewers, and a request assigned to one of them and one not assigned
    first, second = ReviewerFactory(), ReviewerFactory()
    assigned = MinimalRequest(assigned_reviewer=second)
    unassigned = MinimalRequest()

    # When / Then
    assert reviewers_of(assigned) == [second]
    assert set(reviewers_of(unassigned)) == {first, second}
