import uuid

import pytest
from django.utils import timezone

from customers.models import CustomerQualification, CustomerRelationship
from orders.catalogue import catalogue_load
from orders.models import Offer
from tests.factories import CustomerFactory, GccValidationFactory


@pytest.fixture
def catalogue(db) -> dict[str, Offer]:
    # Loaded here too: transactional tests flush what the data migration loaded.
    catalogue_load(Offer)
    return {offer.offer_id: offer for offer in Offer.objects.all()}


def make_customer(organization, *, gcc: bool):
    customer = CustomerFactory()
    CustomerRelationship.objects.create(organization=organization, customer=customer)
    if gcc:
        CustomerQualification.objects.create(
            customer=customer,
            qualification=CustomerQualification.Qualification.GOVERNMENT_COMMUNITY_CLOUD,
            vetting_status=CustomerQualification.VettingStatus.APPROVED,
            validation=GccValidationFactory(partner=organization),
            granted_at=timezone.now(),
        )
    return customer


@pytest.fixture
def gcc_customer(organization):
    return make_customer(organization, gcc=True)


@pytest.fixture
def key():
    return uuid.uuid4()
