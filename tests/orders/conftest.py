import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers import services as customer_services
from orders import services as order_services
from orders.catalogue import catalogue_load
from orders.models import Offer
from partners.services import gcc_actor_require
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


@dataclass
class CheckCounts:
    """How many times a request ran each of the order pages' checks."""

    actor: int = 0  # gcc_actor_require, wherever called
    lines: int = 0  # order_lines_check
    customer_gcc: int = 0  # order_standing: an existing customer's GCC standing
    qualification: int = 0  # customer_qualification_check: a new customer's GCC and code
    key_lookups: int = 0  # SELECTs by an idempotency key (an order's or a customer's)
    sql: list[str] = field(default_factory=list, repr=False)


@pytest.fixture
def checks_counted():
    """`with checks_counted() as counts:` counts the checks the block runs (`CheckCounts`),
    the real functions still doing the work."""

    @contextmanager
    def counting():
        counts = CheckCounts()
        actor = mock.Mock(wraps=gcc_actor_require)
        lines = mock.Mock(wraps=order_services.order_lines_check)
        customer_gcc = mock.Mock(wraps=order_services.order_standing)
        qualification = mock.Mock(wraps=customer_services.customer_qualification_check)
        with (
            mock.patch.object(order_services, "gcc_actor_require", actor),
            mock.patch.object(customer_services, "gcc_actor_require", actor),
            mock.patch.object(order_services, "order_lines_check", lines),
            mock.patch.object(order_services, "order_standing", customer_gcc),
            mock.patch.object(customer_services, "customer_qualification_check", qualification),
            CaptureQueriesContext(connection) as queries,
        ):
            yield counts
        counts.actor, counts.lines = actor.call_count, lines.call_count
        counts.customer_gcc, counts.qualification = (
            customer_gcc.call_count,
            qualification.call_count,
        )
        counts.sql = [query["sql"] for query in queries.captured_queries]
        counts.key_lookups = sum(
            sql.startswith("SELECT") and '"idempotency_key" =' in sql for sql in counts.sql
        )

    return counting
