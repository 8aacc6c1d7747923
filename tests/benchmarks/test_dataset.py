"""The benchmark's data set (benchmarks/dataset.py), loaded at a thousandth of its scale: the
rows the pages will be measured on are consistent, so the pages show them."""

import pytest
from django.contrib.auth import get_user_model

from benchmarks.dataset import PASSWORD, load
from customers.models import Customer, CustomerRelationship
from customers.selectors import customer_list_for_org
from customers.validations.models import CustomerValidationRequest
from notifications.models import OutboxMessage
from orders.models import Order
from partners.models import Organization
from reviews.models import AuditEvent
from tests.mfa import PortalClient

pytestmark = pytest.mark.django_db


def test_the_data_set_at_a_small_scale_is_consistent():
    loaded = load(scale=0.01)

    reseller = Organization.objects.get(pk=loaded.reseller_id)
    assert reseller.partner_type == Organization.PartnerType.INDIRECT_RESELLER
    assert reseller.indirect_provider_id == loaded.provider_id
    assert Organization.objects.count() == 20 == loaded.counts["partners_organization"]
    assert Customer.objects.count() == 2_000
    # The reseller's customers, and its provider sees the same ones through it.
    assert customer_list_for_org(organization=reseller).count() == 200
    through = CustomerRelationship.objects.filter(
        organization_id=loaded.provider_id, indirect_reseller=reseller
    )
    assert through.count() == 200
    requests = CustomerValidationRequest.objects
    assert requests.count() == 1_000
    assert requests.filter(organization=reseller).count() == 50
    assert requests.filter(status__in=["submitted", "in_review", "info_requested"]).count() == 300
    assert (
        not requests.exclude(transacting_partner_id=loaded.provider_id)
        .filter(organization=reseller)
        .exists()
    )
    assert AuditEvent.objects.count() == 5_000
    assert Order.objects.count() == 200
    assert Order.objects.filter(organization=reseller).count() == 20
    assert OutboxMessage.objects.count() == 10_000


def test_the_bench_users_sign_in_and_see_their_pages():
    loaded = load(scale=0.01)
    users = get_user_model().objects
    agent = users.get(email=loaded.reseller_agent_email)
    reviewer = users.get(email=loaded.reviewer_email)
    assert agent.check_password(PASSWORD) and reviewer.check_password(PASSWORD)
    reseller = Organization.objects.get(pk=loaded.reseller_id)
    assert agent.membership.organization == reseller

    client = PortalClient()
    client.force_login(agent)
    page = client.get("/customers/")
    assert page.status_code == 200
    first = customer_list_for_org(organization=reseller).order_by("company_name").first()
    assert first.company_name in page.content.decode()
    client.force_login(reviewer)
    queue = client.get("/admin/customers/customervalidationrequest/")
    assert queue.status_code == 200


def test_the_open_requests_are_as_the_review_clocks_sweep_leaves_them():
    from benchmarks.sweeps import loaded_at
    from partners.models import PartnerValidationRequest
    from reviews.models import review_sla_action_at
    from reviews.services import review_sla_sweep

    load(scale=0.05, organizations=200)
    now = loaded_at()
    for model in (CustomerValidationRequest, PartnerValidationRequest):
        running = model.objects.filter(status__in=["submitted", "in_review"])
        # Reminded once the reminder's time passed, escalated once the due time did
        assert running.filter(reminder_sent_at__isnull=False).exists()
        assert running.filter(escalated_at__isnull=False).exists()
        assert not running.filter(escalated_at__isnull=False, due_at__gte=now).exists()
        # The sweep's next action as the model's save() derives it
        for request in running:
            assert request.sla_action_at == review_sla_action_at(
                status=request.status,
                due_at=request.due_at,
                reminder_sent_at=request.reminder_sent_at,
                escalated_at=request.escalated_at,
            )
        assert not model.objects.exclude(status__in=["submitted", "in_review"]).filter(
            sla_action_at__isnull=False
        )
        # so the sweep at the load's time finds nothing to do
        counts = review_sla_sweep(
            model=model, remind=lambda r: None, escalate=lambda r: None, now=now
        )
        assert counts == {"reminders": 0, "escalations": 0}
