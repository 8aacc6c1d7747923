import uuid

import pytest

from orders.catalogue import catalogue_load
from orders.models import Offer
from tests.helpers import customer_of


@pytest.fixture
def catalogue(db) -> dict[str, Offer]:
    # Loaded here too: transactional tests flush what the data migration loaded.
    catalogue_load(Offer)
    return {offer.offer_id: offer for offer in Offer.objects.all()}


@pytest.fixture
def gcc_customer(organization):
    """A customer of `organization` with an approved GCC qualification (from its code)."""
    return customer_of(organization, gcc=True)


@pytest.fixture
def key():
    return uuid.uuid4()
