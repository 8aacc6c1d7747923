"""The delivery ledger and the fault pages in Chromium: a lead sends a failed email again,
sees the tasks that were given up; a reviewer whose decision was cut by a database failure
is told the truth. Each page is screenshotted and checked with axe-core."""

import pytest
from django.db import OperationalError
from django.template.loader import render_to_string
from django.utils import timezone
from playwright.sync_api import expect

from jobs.models import TaskDelivery
from notifications.models import OutboxMessage
from partners.admin import PartnerValidationRequestAdmin
from partners.models import PartnerValidationRequest
from tests.browser.helpers import check_page, sign_in
from tests.factories import PartnerValidationRequestFactory, ReviewerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_finds_a_failed_email_and_sends_it_again(new_page, lead, failed_message):
    message = failed_message
    admin = new_page()
    sign_in(admin, lead.email, admin=True)

    admin.goto("/admin/notifications/outboxmessage/?status__exact=failed")
    expect(admin.locator("#result_list")).to_contain_text("gone@partner.example")
    check_page(admin, "delivery-01-outbox-failed")
    admin.set_viewport_size({"width": 390, "height": 844})
    check_page(admin, "delivery-01-outbox-failed-390")
    admin.set_viewport_size({"width": 1280, "height": 900})
    admin.goto(f"/admin/notifications/outboxmessage/{message.pk}/change/")
    expect(admin.locator("main")).to_contain_text(message.message_id)
    check_page(admin, "delivery-02-outbox-message")

    admin.goto("/admin/notifications/outboxmessage/?status__exact=failed")
    admin.locator("#result_list input[name=_selected_action]").first.check()
    admin.get_by_label("Action:").select_option(label="Send the selected failed emails again")
    admin.get_by_role("button", name="Go").click()
    expect(admin.locator(".messagelist")).to_have_text("1 failed email will be sent again.")
    check_page(admin, "delivery-03-outbox-resent")
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


def test_lead_sees_the_tasks_that_were_given_up(new_page, lead):
    now = timezone.now()
    TaskDelivery.objects.create(
        task_id="c0ffee00-0000-4000-8000-000000000001",
        task_name="orders.tasks.order_provision_task",
        args=[42],
        deliveries=5,
        first_delivered_at=now,
        last_delivered_at=now,
        gave_up_at=now,
        reason="Each delivery stopped its worker.",
    )
    admin = new_page()
    sign_in(admin, lead.email, admin=True)

    admin.goto("/admin/jobs/taskdelivery/")
    expect(admin.locator("#result_list")).to_contain_text("orders.tasks.order_provision_task")
    check_page(admin, "delivery-04-task-deliveries")


def test_reviewer_is_told_a_decision_was_not_saved(new_page, monkeypatch):
    reviewer = ReviewerFactory()
    validation = PartnerValidationRequestFactory(status=PartnerValidationRequest.Status.IN_REVIEW)

    def connection_lost(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setitem(
        PartnerValidationRequestAdmin.decisions["approve"], "service", connection_lost
    )
    admin = new_page()
    sign_in(admin, reviewer.email, admin=True)
    admin.goto(f"/admin/partners/partnervalidationrequest/{validation.pk}/decide/approve/")
    admin.get_by_label("Note to the partner (optional)").fill("Welcome to GCC.")
    admin.get_by_role("button", name="Approve").click()

    expect(admin.get_by_role("alert")).to_contain_text("Your decision was not saved.")
    expect(admin.get_by_label("Note to the partner (optional)")).to_have_value("Welcome to GCC.")
    check_page(admin, "delivery-05-decision-not-saved")
    admin.set_viewport_size({"width": 390, "height": 844})
    check_page(admin, "delivery-05-decision-not-saved-390")
    admin.set_viewport_size({"width": 1280, "height": 900})


def test_reviewer_is_told_when_it_cannot_be_known(new_page, monkeypatch):
    reviewer = ReviewerFactory()
    validation = PartnerValidationRequestFactory(status=PartnerValidationRequest.Status.IN_REVIEW)

    def connection_lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setitem(
        PartnerValidationRequestAdmin.decisions["approve"], "service", connection_lost
    )
    monkeypatch.setattr("reviews.admin.review_decision_recorded", connection_lost)
    admin = new_page()
    sign_in(admin, reviewer.email, admin=True)
    admin.goto(f"/admin/partners/partnervalidationrequest/{validation.pk}/decide/approve/")
    admin.get_by_role("button", name="Approve").click()

    expect(admin.locator("h1")).to_be_visible()
    check_page(admin, "delivery-06-decision-unconfirmed")


def test_server_error_page(page):
    page.set_content(render_to_string("500.html"))

    expect(page.locator("h1")).to_have_text("Something went wrong")
    check_page(page, "delivery-07-server-error")
    page.set_viewport_size({"width": 390, "height": 844})
    check_page(page, "delivery-07-server-error-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_database_unavailable_page(page):
    page.set_content(render_to_string("503.html"))

    expect(page.locator("h1")).to_have_text("Temporarily unavailable")
    check_page(page, "delivery-08-database-unavailable")
    page.set_viewport_size({"width": 390, "height": 844})
    check_page(page, "delivery-08-database-unavailable-390")
    page.set_viewport_size({"width": 1280, "height": 900})
