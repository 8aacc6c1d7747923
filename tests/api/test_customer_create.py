"""POST /v1/customers: Partner Center's request, checked by the Add customer form's rules,
created by the same service; MS-RequestId and MS-CorrelationId as Partner Center asks."""

import uuid

import pytest

from customers.models import Customer, CustomerRelationship
from partners.models import Organization
from reviews.models import AuditEvent
from tests.factories import OrganizationFactory
from tests.helpers import customer_of

pytestmark = pytest.mark.django_db


def request_body(**address) -> dict:
    return {
        "companyProfile": {"domain": "springfield.gov"},
        "billingProfile": {
            "email": "robin.clerk@springfield.gov",
            "culture": "en-US",
            "language": "en",
            "companyName": "City of Springfield",
            "defaultAddress": {
                "firstName": "Robin",
                "lastName": "Clerk",
                "addressLine1": "800 E Monroe St",
                "city": "Springfield",
                "state": "IL",
                "postalCode": "62701",
                "country": "US",
                "phoneNumber": "+1 217 555 0199",
                **address,
            },
        },
    }


def create(api, body, *, request_id=None, correlation=True):
    headers = {"MS-RequestId": str(request_id or uuid.uuid4())}
    if correlation:
        headers["MS-CorrelationId"] = str(uuid.uuid4())
    return api.post("/v1/customers", body, headers=headers)


def test_a_customer_is_created_and_read_back_in_partner_centers_shape(api, partner):
    response = create(api, request_body())

    assert response.status_code == 201
    customer = Customer.objects.get(primary_domain="springfield.gov")
    body = response.json()
    assert body["id"] == str(customer.tenant_id)
    assert body["companyProfile"]["companyName"] == "City of Springfield"
    assert body["billingProfile"]["defaultAddress"]["addressLine1"] == "800 E Monroe St"
    assert body["relationshipToPartner"] == "reseller"
    assert CustomerRelationship.objects.filter(organization=partner, customer=customer).exists()
    assert AuditEvent.objects.for_subject(customer).filter(action="customer_created").exists()
    assert api.get(f"/v1/customers/{customer.tenant_id}").json() == body


def test_a_retry_with_the_same_request_id_creates_nothing_more(api):
    request_id = uuid.uuid4()
    first = create(api, request_body(), request_id=request_id)

    again = create(api, request_body(), request_id=request_id)

    assert again.status_code == 201
    assert again.json() == first.json()
    assert Customer.objects.count() == 1


def test_creating_a_customer_needs_a_correlation_id(api):
    response = create(api, request_body(), correlation=False)
    assert response.status_code == 400
    assert response.json()["description"] == (
        "Creating a customer needs an MS-CorrelationId header (a GUID)."
    )
    assert not Customer.objects.exists()


def test_the_add_customer_forms_rules_apply_and_are_named_by_json_path(api):
    response = create(api, request_body(state="XX", phoneNumber="call me", postalCode="1"))

    assert response.status_code == 400
    body = response.json()
    assert body["description"] == "The request is not valid: see data."
    named = {message.split(":", 1)[0] for message in body["data"]}
    assert named == {
        "billingProfile.defaultAddress.state",
        "billingProfile.defaultAddress.phoneNumber",
        "billingProfile.defaultAddress.postalCode",
    }
    assert not Customer.objects.exists()


def test_partner_centers_limits_and_a_country_outside_the_us(api):
    response = create(api, request_body(firstName="x" * 51, country="CA"))
    assert response.status_code == 400
    assert sorted(response.json()["data"]) == [
        "billingProfile.defaultAddress.country: The portal serves customers in the US (US).",
        "billingProfile.defaultAddress.firstName: Ensure this field has no more than 50 "
        "characters.",
    ]


def test_a_domain_already_a_customer_is_refused_whoever_manages_it(api):
    customer_of(OrganizationFactory(), primary_domain="springfield.gov")

    response = create(api, request_body())

    assert response.status_code == 400
    [message] = response.json()["data"]
    assert message.startswith("companyProfile.domain: ")
    assert Customer.objects.count() == 1


@pytest.fixture
def provider_and_reseller(db):
    provider = OrganizationFactory(
        legal_name="Tailspin Distribution", partner_type=Organization.PartnerType.INDIRECT_PROVIDER
    )
    reseller = OrganizationFactory(
        legal_name="Northwind Traders",
        partner_type=Organization.PartnerType.INDIRECT_RESELLER,
        indirect_provider=provider,
    )
    return provider, reseller


def test_an_indirect_provider_creates_a_customer_for_its_reseller(api_for, provider_and_reseller):
    provider, reseller = provider_and_reseller
    api = api_for(provider)
    response = create(api, {**request_body(), "associatedPartnerId": reseller.partner_id})

    assert response.status_code == 201, response.json()
    customer = Customer.objects.get(primary_domain="springfield.gov")
    assert response.json()["associatedPartnerId"] == reseller.partner_id
    # The reseller manages it; the provider sees it through the reseller.
    assert CustomerRelationship.objects.get(organization=reseller, customer=customer)
    through = CustomerRelationship.objects.get(organization=provider, customer=customer)
    assert through.indirect_reseller == reseller
    reseller_api = api_for(reseller)
    assert reseller_api.get(f"/v1/customers/{customer.tenant_id}").status_code == 200


@pytest.mark.parametrize("who", ["another providers reseller", "unknown", "not a provider"])
def test_associated_partner_id_must_name_one_of_the_providers_resellers(
    api_for, provider_and_reseller, partner, who
):
    provider, _reseller = provider_and_reseller
    other_reseller = OrganizationFactory(
        partner_type=Organization.PartnerType.INDIRECT_RESELLER,
        indirect_provider=OrganizationFactory(
            partner_type=Organization.PartnerType.INDIRECT_PROVIDER
        ),
    )
    caller, partner_id, message = {
        "another providers reseller": (
            provider,
            other_reseller.partner_id,
            f"{other_reseller.partner_id} is not one of your indirect resellers.",
        ),
        "unknown": (provider, "9999999", "9999999 is not one of your indirect resellers."),
        "not a provider": (
            partner,
            other_reseller.partner_id,
            "Only an indirect provider creates a customer for an associated partner.",
        ),
    }[who]
    response = create(api_for(caller), {**request_body(), "associatedPartnerId": partner_id})
    assert response.status_code == 400
    assert response.json()["data"] == [f"associatedPartnerId: {message}"]
    assert not Customer.objects.filter(primary_domain="springfield.gov").exists()
