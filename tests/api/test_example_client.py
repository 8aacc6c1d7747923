"""The README's example client (docs/api_example.py) runs the customer flow end to end
against the portal served on a port, with a real API client's token."""

import importlib.util
from pathlib import Path

import pytest
from django.conf import settings

from api.models import ApiClient
from api.services import api_client_create
from customers.models import Customer
from orders.models import Order
from partners.models import Membership
from tests.factories import GccValidationFactory, OrganizationFactory, ResellerQualificationFactory
from tests.helpers import agent_of

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLE = Path(settings.BASE_DIR) / "docs" / "api_example.py"


def test_the_readme_example_client_runs_the_customer_flow(live_server, monkeypatch, capsys):
    partner = OrganizationFactory(legal_name="Contoso Government Solutions LLC")
    ResellerQualificationFactory(organization=partner)
    admin = agent_of(partner, Membership.Role.ADMIN_AGENT)
    GccValidationFactory(partner=partner, organization_name="City of Springfield", max_creates=2)
    token = api_client_create(
        organization=partner, actor=admin, name="Example", scope=ApiClient.Scope.WRITE
    ).token
    monkeypatch.setenv("GCCPORTAL_URL", live_server.url)
    monkeypatch.setenv("GCCPORTAL_TOKEN", token)
    spec = importlib.util.spec_from_file_location("api_example", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)

    order_id = example.main()

    order = Order.objects.get(pk=order_id)
    assert order.organization == partner
    assert order.status == Order.Status.COMPLETED
    customer = Customer.objects.get(pk=order.customer_id)
    assert customer.qualifications.get().validation.organization_name == "City of Springfield"
    printed = capsys.readouterr().out
    assert "qualification GovernmentCommunityCloud Approved" in printed
    assert "provisioning ['fulfilled']" in printed
