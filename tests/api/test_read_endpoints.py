"""Contract tests of the read endpoints: Partner Center's JSON, exactly; another
organization's resources are 404 whatever ID is guessed."""

import datetime as dt
import uuid

import pytest

from customers.models import CustomerRelationship
from orders.models import Offer
from partners.models import Organization
from tests.factories import GccValidationFactory, OrganizationFactory
from tests.helpers import customer_of

pytestmark = pytest.mark.django_db

GCC = "GovernmentCommunityCloud"


def etag_of(body: dict) -> str:
    etag = body.pop("eTag")
    assert etag.startswith('W/"') and etag.endswith('"')
    return etag


def test_the_partners_validation_codes(api, partner):
    # Given two codes of the partner (one spent) and one of another partner
    spent = GccValidationFactory(partner=partner, organization_name="Adams County", max_creates=2)
    spent.remaining_creates = 0
    spent.save()
    fresh = GccValidationFactory(partner=partner, organization_name="Boone County", max_creates=3)
    GccValidationFactory(organization_name="Elsewhere County")

    response = api.get("/v1/customers/all/validations")

    assert response.status_code == 200
    body = response.json()
    etags = [etag_of(item) for item in body]
    assert body == [
        {
            "partnerId": str(partner.commercial_tenant_id),
            "organizationName": "Adams County",
            "validationId": str(spent.validation_id),
            "maxCreates": 2,
            "remainingCreates": 0,
        },
        {
            "partnerId": str(partner.commercial_tenant_id),
            "organizationName": "Boone County",
            "validationId": str(fresh.validation_id),
            "maxCreates": 3,
            "remainingCreates": 3,
        },
    ]
    assert etags[0] != etags[1]


def test_a_codes_etag_changes_when_a_create_is_used(api, partner):
    code = GccValidationFactory(partner=partner, max_creates=3)
    before = api.get("/v1/customers/all/validations").json()[0]["eTag"]
    code.remaining_creates = 2
    code.save()
    after = api.get("/v1/customers/all/validations").json()[0]["eTag"]
    assert before != after
    assert api.get("/v1/customers/all/validations").json()[0]["eTag"] == after


def test_an_indirect_reseller_sees_only_the_codes_of_its_own_requests(api_for):
    provider = OrganizationFactory(partner_type=Organization.PartnerType.INDIRECT_PROVIDER)
    reseller = OrganizationFactory(
        partner_type=Organization.PartnerType.INDIRECT_RESELLER, indirect_provider=provider
    )
    other = OrganizationFactory(
        partner_type=Organization.PartnerType.INDIRECT_RESELLER, indirect_provider=provider
    )
    own = GccValidationFactory(partner=provider, source_request__organization=reseller)
    GccValidationFactory(partner=provider, source_request__organization=other)

    body = api_for(reseller).get("/v1/customers/all/validations").json()

    assert [item["validationId"] for item in body] == [str(own.validation_id)]
    assert body[0]["partnerId"] == str(provider.commercial_tenant_id)
    assert len(api_for(provider).get("/v1/customers/all/validations").json()) == 2


def test_a_customers_validation_and_qualifications(api, partner):
    customer = customer_of(partner, gcc=True, company_name="City of Springfield")
    qualification = customer.qualifications.get()
    code = qualification.validation

    response = api.get(f"/v1/customers/{customer.tenant_id}/validations")

    assert response.status_code == 200
    body = response.json()
    etag_of(body)
    assert body == {
        "customerId": str(customer.tenant_id),
        "partnerId": str(partner.commercial_tenant_id),
        "validationId": str(code.validation_id),
        "organizationName": code.organization_name,
    }

    response = api.get(f"/v1/customers/{customer.tenant_id}/qualifications")
    assert response.status_code == 200
    [item] = response.json()
    created = dt.datetime.fromisoformat(item.pop("vettingCreatedDate"))
    assert created == qualification.granted_at
    assert item == {
        "qualification": GCC,
        "vettingStatus": "Approved",
        "attributes": {"objectType": "CustomerQualification"},
    }


def test_a_customer_without_a_code_has_no_validation_and_no_qualification(api, partner):
    customer = customer_of(partner)

    response = api.get(f"/v1/customers/{customer.tenant_id}/validations")
    assert response.status_code == 404
    assert response.json() == {
        "code": 404,
        "description": "This customer was not qualified with a GCC validation code.",
        "data": [],
        "source": "GCCPortal",
    }
    assert api.get(f"/v1/customers/{customer.tenant_id}/qualifications").json() == []


def customer_json(customer, *, associated_partner_id=None) -> dict:
    return {
        "id": str(customer.tenant_id),
        "commerceId": str(customer.tenant_id),
        "companyProfile": {
            "tenantId": str(customer.tenant_id),
            "domain": customer.primary_domain,
            "companyName": customer.company_name,
            "attributes": {"objectType": "CustomerCompanyProfile"},
        },
        "billingProfile": {
            "email": customer.contact_email,
            "culture": "en-US",
            "language": "en",
            "companyName": customer.company_name,
            "defaultAddress": {
                "country": "US",
                "city": "Springfield",
                "state": "IL",
                "addressLine1": "1 Main Street",
                "addressLine2": "",
                "postalCode": "62701",
                "firstName": "Casey",
                "lastName": "Customer",
                "phoneNumber": "+1 217 555 0100",
            },
            "attributes": {"objectType": "CustomerBillingProfile"},
        },
        "relationshipToPartner": "reseller",
        "associatedPartnerId": associated_partner_id,
        "links": {
            "self": {"uri": f"/v1/customers/{customer.tenant_id}", "method": "GET", "headers": []}
        },
        "attributes": {"objectType": "Customer"},
    }


def test_one_customer(api, partner):
    customer = customer_of(partner, company_name="City of Springfield")
    response = api.get(f"/v1/customers/{customer.tenant_id}")
    assert response.status_code == 200
    assert response.json() == customer_json(customer)


def test_an_indirect_provider_sees_its_resellers_customer_with_the_reseller_named(api_for):
    provider = OrganizationFactory(partner_type=Organization.PartnerType.INDIRECT_PROVIDER)
    reseller = OrganizationFactory(
        partner_type=Organization.PartnerType.INDIRECT_RESELLER, indirect_provider=provider
    )
    customer = customer_of(reseller)
    CustomerRelationship.objects.create(
        organization=provider, customer=customer, indirect_reseller=reseller
    )

    body = api_for(provider).get(f"/v1/customers/{customer.tenant_id}").json()

    assert body == customer_json(customer, associated_partner_id=reseller.partner_id)


def test_the_customer_list_is_a_collection_continued_by_token_and_stable_under_inserts(
    api, partner
):
    names = ["Adams County", "Boone County", "Clark County", "Dane County", "Erie County"]
    customers = {name: customer_of(partner, company_name=name) for name in names}
    customer_of(OrganizationFactory(), company_name="Another Partner's County")

    first = api.get("/v1/customers", size=2).json()
    assert first["totalCount"] == 2
    assert first["items"] == [customer_json(customers[n]) for n in names[:2]]
    assert first["attributes"] == {"objectType": "Collection"}
    next_link = first["links"]["next"]
    assert next_link["uri"] == "/v1/customers?size=2&seekOperation=Next"
    assert next_link["method"] == "GET"
    [header] = next_link["headers"]
    assert header["key"] == "MS-ContinuationToken"

    # A customer inserted before the continuation point does not shift the next page
    customer_of(partner, company_name="Aaron County")
    second = api.get(
        "/v1/customers",
        size=2,
        seekOperation="Next",
        headers={"MS-ContinuationToken": header["value"]},
    ).json()
    assert [item["companyProfile"]["companyName"] for item in second["items"]] == names[2:4]

    token = second["links"]["next"]["headers"][0]["value"]
    last = api.get(
        "/v1/customers", size=2, seekOperation="Next", headers={"MS-ContinuationToken": token}
    ).json()
    assert [item["companyProfile"]["companyName"] for item in last["items"]] == names[4:]
    assert "links" not in last


def test_a_continuation_token_is_bound_to_its_organization(api, api_for, partner):
    for name in ["Adams County", "Boone County"]:
        customer_of(partner, company_name=name)
    token = api.get("/v1/customers", size=1).json()["links"]["next"]["headers"][0]["value"]

    other = api_for(OrganizationFactory())
    response = other.get(
        "/v1/customers", size=1, seekOperation="Next", headers={"MS-ContinuationToken": token}
    )

    assert response.status_code == 400
    assert response.json()["description"] == "The continuation token is not valid."


@pytest.mark.parametrize("size", ["0", "501", "ten"])
def test_a_page_size_out_of_range_is_refused(api, size):
    response = api.get("/v1/customers", size=size)
    assert response.status_code == 400
    assert response.json() == {
        "code": 400,
        "description": "size must be a whole number from 1 to 500.",
        "data": [],
        "source": "GCCPortal",
    }


def test_the_offers_for_the_us_with_their_qualifications(api):
    Offer.objects.all().delete()
    gcc = Offer.objects.create(
        offer_id="G3-GCC",
        name="Office 365 G3 GCC",
        family=Offer.Family.OFFICE_365,
        unit_price="20.00",
        billing_cycle=Offer.BillingCycle.MONTHLY,
        requires_gcc=True,
        max_quantity=500,
    )
    Offer.objects.create(
        offer_id="E3",
        name="Office 365 E3",
        family=Offer.Family.OFFICE_365,
        unit_price="23.00",
        billing_cycle=Offer.BillingCycle.MONTHLY,
    )
    Offer.objects.create(
        offer_id="RETIRED",
        name="Retired offer",
        family=Offer.Family.OFFICE_365,
        unit_price="1.00",
        billing_cycle=Offer.BillingCycle.MONTHLY,
        is_active=False,
    )

    body = api.get("/v1/offers", country="US").json()

    assert body["totalCount"] == 2
    assert body["items"][0] == {
        "id": "G3-GCC",
        "name": "Office 365 G3 GCC",
        "minimumQuantity": 1,
        "maximumQuantity": 500,
        "country": "US",
        "billing": "license",
        "isAvailableForPurchase": True,
        "category": {"id": "office365", "name": "Office 365"},
        "reselleeQualifications": [GCC],
        "resellerQualifications": [GCC],
        "attributes": {"objectType": "Offer"},
    }
    assert body["items"][1]["id"] == "E3"
    assert body["items"][1]["reselleeQualifications"] == []
    assert gcc.pk  # (the row the first item describes)

    assert api.get("/v1/offers", country="CA").json()["items"] == []
    missing = api.get("/v1/offers")
    assert missing.status_code == 400
    assert missing.json()["description"] == "country is required: the two-letter ISO code, e.g. US."


@pytest.mark.parametrize(
    "path",
    [
        "/v1/customers/{id}",
        "/v1/customers/{id}/validations",
        "/v1/customers/{id}/qualifications",
    ],
)
def test_another_organizations_customer_is_not_found_whatever_is_guessed(api, path):
    # Another partner's GCC customer, its tenant ID known (guessed, leaked), a made-up ID,
    # a number (a database ID), and text
    theirs = customer_of(OrganizationFactory(), gcc=True)
    for guess in [theirs.tenant_id, uuid.uuid4(), theirs.pk, "not-an-id"]:
        response = api.get(path.format(id=guess))
        assert response.status_code == 404, guess
        assert response.json() == {
            "code": 404,
            "description": "No such customer.",
            "data": [],
            "source": "GCCPortal",
        }
