"""With a real Celery worker process on Redis: an order is provisioned by the worker."""

import uuid

import pytest

from orders import services
from orders.catalogue import catalogue_load
from orders.models import Offer, Order, Subscription
from orders.services import OrderLine
from partners.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory, ResellerQualificationFactory
from tests.orders.conftest import make_customer
from tests.worker import read_sent_emails, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_real_worker_provisions_the_order_and_emails_the_confirmation(celery_worker_process):
    # Given a GCC-enabled partner, a GCC customer and the catalogue
    catalogue_load(Offer)
    organization = OrganizationFactory()
    ResellerQualificationFactory(organization=organization)
    agent = MembershipFactory(organization=organization, role=Membership.Role.SALES_AGENT).user
    customer = make_customer(organization, gcc=True)

    # When the agent places an order (dispatched to the broker after commit)
    order = services.order_place(
        organization=organization,
        created_by=agent,
        customer_id=customer.pk,
        lines=[OrderLine("gcc-o365-g5", 12, "G5 seats")],
        idempotency_key=uuid.uuid4(),
    )
    assert order.status == Order.Status.SUBMITTED

    # Then the worker provisions it and the confirmation goes out through the outbox
    wait_for(lambda: Order.objects.filter(pk=order.pk, status=Order.Status.COMPLETED).exists())
    subscription = Subscription.objects.get(customer=customer)
    assert (subscription.offer.offer_id, subscription.quantity) == ("gcc-o365-g5", 12)
    sent = wait_for(lambda: read_sent_emails(celery_worker_process.email_dir))
    assert len(sent) == 1
    assert f"Order #{order.pk} for {customer.company_name} is complete" in sent[0]
    assert str(subscription.subscription_id) in sent[0]
