"""Orders: POST /v1/customers/{id}/orders (Partner Center's order, placed by the order
pages' service), GET the order and its provisioning status; MS-RequestId; another
organization's orders are 404."""

import datetime as dt
import uuid

import pytest

from orders.models import Offer, Order
from tests.factories import OrganizationFactory, ResellerQualificationFactory
from tests.helpers import customer_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def gcc_customer(partner):
    return customer_of(partner, gcc=True, company_name="City of Springfield")


@pytest.fixture
def gcc_offers():
    return list(Offer.objects.filter(requires_gcc=True, is_active=True).order_by("offer_id")[:2])


def order_body(offers, quantity=25, **extra) -> dict:
    return {
        "billingCycle": "monthly",
        "lineItems": [
            {"lineItemNumber": n, "offerId": offer.offer_id, "quantity": quantity}
            for n, offer in enumerate(offers)
        ],
        **extra,
    }


def place(api, customer, body, request_id=None):
    return api.post(
        f"/v1/customers/{customer.tenant_id}/orders",
        body,
        headers={"MS-RequestId": str(request_id or uuid.uuid4())},
    )


def test_an_order_is_placed_and_read_back(api, partner, gcc_customer, gcc_offers):
    response = place(api, gcc_customer, order_body(gcc_offers, friendlyName="ignored"))

    assert response.status_code == 201
    order = Order.objects.get(customer=gcc_customer)
    body = response.json()
    assert dt.datetime.fromisoformat(body.pop("creationDate")) == order.created_at
    base = f"/v1/customers/{gcc_customer.tenant_id}/orders/{order.pk}"
    assert body == {
        "id": str(order.pk),
        "referenceCustomerId": str(gcc_customer.tenant_id),
        "billingCycle": body["billingCycle"],
        "status": "pending",
        "portalStatus": "submitted",
        "failureReason": "",
        "lineItems": [
            {
                "lineItemNumber": n,
                "offerId": offer.offer_id,
                "quantity": 25,
                "friendlyName": "",
                "partnerIdOnRecord": partner.partner_id,
                "subscriptionId": None,
            }
            for n, offer in enumerate(gcc_offers)
        ],
        "links": {
            "self": {"uri": base, "method": "GET", "headers": []},
            "provisioningStatus": {
                "uri": f"{base}/provisioningstatus",
                "method": "GET",
                "headers": [],
            },
        },
        "attributes": {"objectType": "Order"},
    }
    assert body["billingCycle"] in {"monthly", "annual", "none"}
    read = api.get(base).json()
    read.pop("creationDate")
    assert read == body
    status = api.get(f"{base}/provisioningstatus").json()
    assert [item["status"] for item in status["items"]] == ["pending", "pending"]
    assert status["totalCount"] == 2


def test_a_retry_places_nothing_more(api, gcc_customer, gcc_offers):
    request_id = uuid.uuid4()
    first = place(api, gcc_customer, order_body(gcc_offers), request_id)
    again = place(api, gcc_customer, order_body(gcc_offers), request_id)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert Order.objects.count() == 1


def test_a_gcc_offer_for_a_commercial_customer_is_refused_with_800086_or_2006(
    api, partner, gcc_offers
):
    commercial = customer_of(partner, company_name="Boone County")
    response = place(api, commercial, order_body(gcc_offers[:1]))
    assert response.status_code in {400, 403}
    assert response.json()["code"] in {800086, 2006}
    assert not Order.objects.exists()


def test_quantities_out_of_range_and_line_numbers_are_named(api, gcc_customer, gcc_offers):
    response = place(api, gcc_customer, order_body(gcc_offers[:1], quantity=10**6))
    assert response.status_code == 400
    assert response.json()["description"] == "The order can't be placed: see data."
    assert "Order between" in response.json()["data"][0]

    body = order_body(gcc_offers)
    body["lineItems"][1]["lineItemNumber"] = 5
    response = place(api, gcc_customer, body)
    assert response.status_code == 400
    assert response.json()["data"] == [
        "lineItems: lineItemNumber runs 0, 1, 2, … with each number once."
    ]
    assert not Order.objects.exists()


def test_another_organizations_order_is_404_by_any_route(api, api_for, gcc_customer, gcc_offers):
    other = OrganizationFactory()
    ResellerQualificationFactory(organization=other)
    theirs = customer_of(other, gcc=True)
    their_api = api_for(other)
    placed = place(their_api, theirs, order_body(gcc_offers)).json()

    for customer in (theirs, gcc_customer):
        for suffix in ("", "/provisioningstatus"):
            response = api.get(f"/v1/customers/{customer.tenant_id}/orders/{placed['id']}{suffix}")
            assert response.status_code == 404
    own = place(api, gcc_customer, order_body(gcc_offers)).json()
    # Its own order under another of its customers' paths is not found either
    sibling = customer_of(gcc_customer.relationships.get().organization, gcc=True)
    assert api.get(f"/v1/customers/{sibling.tenant_id}/orders/{own['id']}").status_code == 404
