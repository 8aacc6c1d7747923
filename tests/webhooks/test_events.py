"""Each event an endpoint can subscribe to is recorded by the service that makes the change,
with Partner Center's identifiers in its data."""

import pytest

from api import webhook_services
from customers.codes.models import GccValidation
from customers.invitations import services as invitation_services
from customers.invitations.links import invitation_token
from customers.models import CustomerQualification
from customers.services import customer_qualification_add
from customers.validations import services as validation_services
from customers.validations.models import CustomerValidationRequest
from orders import services as order_services
from orders.models import Offer, Order
from orders.services import OrderLine
from partners.models import Membership
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD
from reviews.services import review_start
from tests.factories import CustomerValidationRequestFactory, GccValidationFactory
from tests.helpers import agent_of, customer_of, invitation_sent
from webhooks.events import EventType
from webhooks.models import WebhookMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(gcc_enabled):
    """`gcc_enabled`'s Admin agent registered an endpoint for every event."""
    admin = agent_of(gcc_enabled, Membership.Role.ADMIN_AGENT)
    webhook_services.webhook_endpoint_register(
        organization=gcc_enabled,
        actor=admin,
        url="http://127.0.0.1:9/hooks",
        description="",
        event_types=list(EventType.values),
    )
    return gcc_enabled


def data_of(event_type: str) -> list[dict]:
    return [
        message.payload["data"]
        for message in WebhookMessage.objects.filter(event_type=event_type).order_by("pk")
    ]


def test_customer_validation_moves_and_the_code_issued(subscribed, reviewer):
    request = CustomerValidationRequestFactory(
        organization=subscribed,
        organization_legal_name="City of Springfield",
        government_domain="springfield.gov",
    )
    review_start(model=CustomerValidationRequest, request_id=request.pk, reviewer=reviewer)
    validation_services.customer_validation_approve(
        request_id=request.pk, reviewer=reviewer, max_creates=3
    )

    common = {
        "validationRequestId": str(request.pk),
        "organizationName": "City of Springfield",
        "domain": "springfield.gov",
    }
    assert data_of(EventType.CUSTOMER_VALIDATION_STATUS_CHANGED) == [
        {
            **common,
            "action": "review_started",
            "previousStatus": "submitted",
            "status": "in_review",
        },
        {**common, "action": "approved", "previousStatus": "in_review", "status": "approved"},
    ]
    code = GccValidation.objects.get()
    assert data_of(EventType.VALIDATION_CODE_ISSUED) == [
        {
            "validationId": str(code.validation_id),
            "partnerId": str(subscribed.commercial_tenant_id),
            "organizationName": "City of Springfield",
            "maxCreates": 3,
            "remainingCreates": 3,
        }
    ]


def test_a_code_used_tells_its_remaining_creates(subscribed, sales_agent):
    code = GccValidationFactory(partner=subscribed, max_creates=2)
    customer = customer_of(subscribed, company_name=code.organization_name)
    customer_qualification_add(
        organization=subscribed,
        actor=agent_of(subscribed, Membership.Role.SALES_AGENT),
        customer_id=customer.pk,
        qualification=GOVERNMENT_COMMUNITY_CLOUD,
        gcc_validation=code,
    )
    assert CustomerQualification.objects.filter(customer=customer).exists()
    assert data_of(EventType.VALIDATION_CODE_USED) == [
        {
            "validationId": str(code.validation_id),
            "partnerId": str(subscribed.commercial_tenant_id),
            "organizationName": code.organization_name,
            "maxCreates": 2,
            "remainingCreates": 1,
            "customerId": str(customer.tenant_id),
            "usedBy": str(subscribed.commercial_tenant_id),
        }
    ]


def test_an_invitation_accepted_and_only_that(subscribed):
    invitation = invitation_sent(subscribed)
    token = invitation_token(invitation_id=invitation.pk, nonce=invitation.nonce)
    accepted = invitation_services.invitation_accept(
        token=token,
        answers={
            "company_name": "City of Springfield",
            "primary_domain": "springfield.gov",
            "accepted_by_name": "Robin Clerk",
            "accepted_by_email": "robin@springfield.gov",
        },
    )
    assert list(WebhookMessage.objects.values_list("event_type", flat=True)) == [
        EventType.INVITATION_ACCEPTED
    ]  # drafted and sent: no webhook
    assert data_of(EventType.INVITATION_ACCEPTED) == [
        {
            "invitationId": str(invitation.pk),
            "customerId": str(accepted.customer.tenant_id),
            "action": "invitation_accepted",
            "previousStatus": "sent",
            "status": "accepted",
        }
    ]


def test_order_moves(subscribed, sales_agent, django_capture_on_commit_callbacks):
    customer = customer_of(subscribed, gcc=True)
    offer = Offer.objects.filter(requires_gcc=True, is_active=True).order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        order = order_services.order_place(
            organization=subscribed,
            created_by=sales_agent,
            customer_id=customer.pk,
            lines=[OrderLine(offer_id=offer.offer_id, quantity=5)],
            idempotency_key="6f1c1f0e-8d7e-4a4e-9a53-2f0f3b0b9a10",
        )
    assert Order.objects.get(pk=order.pk).status == "completed"
    base = {
        "orderId": str(order.pk),
        "customerId": str(customer.tenant_id),
        "links": {"self": {"uri": f"/v1/customers/{customer.tenant_id}/orders/{order.pk}"}},
    }
    assert data_of(EventType.ORDER_STATUS_CHANGED) == [
        {**base, "action": "order_submitted", "previousStatus": None, "status": "submitted"},
        {
            **base,
            "action": "provisioning_started",
            "previousStatus": "submitted",
            "status": "provisioning",
        },
        {
            **base,
            "action": "order_completed",
            "previousStatus": "provisioning",
            "status": "completed",
        },
    ]
