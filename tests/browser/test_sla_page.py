"""The SLA page in Chromium: a lead opens it from the admin's index, at desktop and phone
width, and it passes axe-core; a reviewer reaches it from the queue. The page runs at the
real time (another process's clock): the figures are checked by tests/reviews/test_sla.py,
here only what shows."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviews.models import ReviewStatus
from tests.browser.helpers import PHONE, assert_fits_the_width, check_page, sign_in
from tests.factories import (
    CustomerValidationRequestFactory,
    PartnerValidationRequestFactory,
    ReviewerFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Status = ReviewStatus


@pytest.fixture
def sla_data(lead):
    """Open requests in every status, some overdue, and decisions over the last weeks by two
    reviewers, on time and late."""
    now = timezone.now()
    alice = ReviewerFactory(first_name="Alice", last_name="Adams")
    bob = ReviewerFactory(first_name="Bob", last_name="Brown")
    for factory in (PartnerValidationRequestFactory, CustomerValidationRequestFactory):
        factory(status=Status.SUBMITTED)
        factory(
            status=Status.IN_REVIEW, assigned_reviewer=alice, due_at=now - dt.timedelta(hours=3)
        )
        factory(status=Status.INFO_REQUESTED, assigned_reviewer=bob, due_at=None)
    for index in range(18):
        factory = (PartnerValidationRequestFactory, CustomerValidationRequestFactory)[index % 2]
        decided_at = now - dt.timedelta(days=index * 4 + 1)
        factory(
            status=Status.APPROVED if index % 4 else Status.REJECTED,
            due_at=None,
            decided_at=decided_at,
            decided_by=(alice, bob)[index % 3 == 0],
            decision_due_at=decided_at,
            decided_on_time=index % 5 != 0,
            business_seconds_to_decision=3600 * (10 + index * 3),
        )
    return alice


def test_a_lead_reads_the_sla_page_at_desktop_and_phone_width(new_page, lead, sla_data):
    page = new_page()
    sign_in(page, lead.email, admin=True)

    page.get_by_role("link", name="SLA figures").first.click()
    expect(page.locator("h1")).to_have_text("SLA figures")
    expect(page.get_by_role("img", name="Decisions per week")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Alice Adams")
    expect(page.locator("main")).to_contain_text("Bob Brown")
    check_page(page, "sla-01-lead")

    page.set_viewport_size(PHONE)
    assert_fits_the_width(page)
    check_page(page, "sla-02-lead-390")


def test_a_reviewer_reaches_their_own_figures_from_the_queue(new_page, sla_data):
    alice = sla_data
    page = new_page()
    sign_in(page, alice.email, admin=True)

    page.goto("/admin/customers/customervalidationrequest/")
    page.locator(".object-tools").get_by_role("link", name="SLA figures").click()
    expect(page.locator("main")).to_contain_text("Your own figures")
    expect(page.locator("main")).not_to_contain_text("Bob Brown")
    check_page(page, "sla-03-reviewer")
