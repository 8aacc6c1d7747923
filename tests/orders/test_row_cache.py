"""The Account page's orders and subscriptions, each row rendered once (gccportal/row_cache.py):
a cached row reads as a fresh one and is a new row when anything it shows changes."""

import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import Order, OrderLineItem, Subscription
from tests.orders.test_views import G3, POWER_BI, order_with_subscription

pytestmark = pytest.mark.django_db


def tables(response) -> list[str]:
    return re.findall(r"<tbody>.*?</tbody>", response.content.decode(), re.S)


def fresh(get):
    """`get()` with no row found in the cache (each row rendered by its template)."""
    with mock.patch.object(cache, "get_many", return_value={}):
        return get()


@pytest.fixture
def account(client, catalogue, gcc_enabled, gcc_customer, sales_agent):
    client.force_login(sales_agent)
    order_with_subscription(gcc_enabled, gcc_customer, sales_agent, catalogue[G3], quantity=25)
    order_with_subscription(gcc_enabled, gcc_customer, sales_agent, catalogue[POWER_BI])
    url = reverse("customers:customer_account", args=[gcc_customer.pk])

    def get():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return tables(response), len(queries)

    return get


def test_the_account_pages_rows_read_the_same_from_the_cache_with_the_same_queries(account):
    rendered, rendered_queries = fresh(account)
    account()  # the rows stored
    with mock.patch("gccportal.row_cache.render_to_string") as render:
        cached, cached_queries = account()

    render.assert_not_called()
    assert len(cached) == 2
    assert cached == rendered
    assert cached_queries == rendered_queries


@pytest.mark.parametrize(
    "change",
    [
        lambda: Order.objects.update(status=Order.Status.FAILED),
        lambda: OrderLineItem.objects.filter(line_item_number=0).update(quantity=26),
        lambda: Subscription.objects.update(friendly_name="Clerks"),
        lambda: Subscription.objects.update(quantity=7),
    ],
    ids=["order status", "line quantity", "friendly name", "subscription quantity"],
)
def test_a_cached_row_changes_with_what_it_shows(account, change):
    before, _queries = account()

    change()
    after, _queries = account()

    assert after != before
    assert after == fresh(account)[0]
