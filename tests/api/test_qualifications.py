"""POST /v1/customers/{id}/qualifications: GCC with a validation code, irreversible, one
create consumed; MS-RequestId makes it idempotent; every refusal in Partner Center's body."""

import datetime as dt
import json
import uuid

import pytest
from django.test import Client

from api import views as api_views
from api.models import ApiClient
from customers.models import CustomerQualification, CustomerRelationship
from partners.models import Organization
from reviews.models import AuditEvent
from tests.factories import (
    GccValidationFactory,
    OrganizationFactory,
    ResellerQualificationFactory,
)
from tests.helpers import customer_of
from tests.race import Race

pytestmark = pytest.mark.django_db

GCC = "GovernmentCommunityCloud"


def path(customer) -> str:
    return f"/v1/customers/{customer.tenant_id}/qualifications"


def error(code: int, description: str, data=()) -> dict:
    return {"code": code, "description": description, "data": list(data), "source": "GCCPortal"}


@pytest.fixture
def code(partner):
    return GccValidationFactory(partner=partner, organization_name="Springfield", max_creates=3)


@pytest.fixture
def customer(partner):
    return customer_of(partner, company_name="City of Springfield")


def qualify(api, customer, code, request_id=None, **body):
    payload = {"qualification": GCC, "validationCode": str(code.validation_id), **body}
    return api.post(
        path(customer), payload, headers={"MS-RequestId": str(request_id or uuid.uuid4())}
    )


def test_a_customer_is_qualified_for_gcc_with_a_code_and_one_create_is_used(api, customer, code):
    response = qualify(api, customer, code)

    assert response.status_code == 201
    body = response.json()
    granted = CustomerQualification.objects.get(customer=customer)
    assert dt.datetime.fromisoformat(body.pop("vettingCreatedDate")) == granted.granted_at
    assert body == {
        "qualification": GCC,
        "vettingStatus": "Approved",
        "attributes": {"objectType": "CustomerQualification"},
    }
    assert granted.validation == code
    code.refresh_from_db()
    assert code.remaining_creates == 2
    event = AuditEvent.objects.for_subject(customer).get(action="qualification_granted")
    assert event.actor == ApiClient.objects.get().user
    # It shows on the read endpoints
    assert api.get(path(customer)).json()[0]["qualification"] == GCC
    validation = api.get(f"/v1/customers/{customer.tenant_id}/validations").json()
    assert validation["validationId"] == str(code.validation_id)


def test_the_same_request_id_again_gets_the_same_response_and_changes_nothing(api, customer, code):
    request_id = uuid.uuid4()
    first = qualify(api, customer, code, request_id)

    again = qualify(api, customer, code, request_id)

    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    code.refresh_from_db()
    assert code.remaining_creates == 2
    assert CustomerQualification.objects.filter(customer=customer).count() == 1
    events = AuditEvent.objects.for_subject(customer).filter(action="qualification_granted")
    assert events.count() == 1


def test_a_request_id_used_for_another_request_is_409(api, partner, customer, code):
    request_id = uuid.uuid4()
    qualify(api, customer, code, request_id)
    other = customer_of(partner, company_name="Boone County")

    response = qualify(api, other, code, request_id)

    assert response.status_code == 409
    assert response.json() == error(
        409,
        "This MS-RequestId was used for a different request. Use a new GUID for each new "
        "request; send the same one only to retry the same request.",
    )
    assert not CustomerQualification.objects.filter(customer=other).exists()


@pytest.mark.parametrize("header", [None, "", "not-a-guid"])
def test_a_post_without_a_request_id_is_refused(api, customer, code, header):
    headers = {} if header is None else {"MS-RequestId": header}
    payload = {"qualification": GCC, "validationCode": str(code.validation_id)}
    response = api.post(path(customer), payload, headers=headers)
    assert response.status_code == 400
    assert response.json() == error(
        400,
        "Send an MS-RequestId header, a new GUID for each request (the same on a retry).",
    )
    assert not CustomerQualification.objects.exists()


def test_a_qualification_is_irreversible(api, partner, code):
    qualified = customer_of(partner, gcc=True, company_name="Adams County")

    response = qualify(api, qualified, code)

    assert response.status_code == 409
    assert response.json() == error(
        409,
        "Adams County already holds a special qualification. Qualifications are "
        "irreversible: it can't be changed or replaced.",
    )
    code.refresh_from_db()
    assert code.remaining_creates == 3


def test_a_spent_code_is_refused_and_nothing_changes(api, customer, code):
    code.remaining_creates = 0
    code.save()

    response = qualify(api, customer, code)

    assert response.status_code == 400
    assert response.json()["description"].startswith(
        "The validation code for Springfield has no creates left"
    )
    assert not CustomerQualification.objects.exists()


def test_another_partners_code_is_not_one_of_yours(api, customer):
    theirs = GccValidationFactory(max_creates=5)

    response = qualify(api, customer, theirs)

    assert response.status_code == 400
    assert response.json() == error(
        400, "validationCode is not one of your GCC validation codes.", ["validationCode"]
    )
    theirs.refresh_from_db()
    assert theirs.remaining_creates == 5


@pytest.mark.parametrize(
    ("body", "data"),
    [
        (
            {"qualification": "Education"},
            ["qualification: The portal sets only the GovernmentCommunityCloud qualification."],
        ),
        (
            {"validationCode": None},
            ["validationCode: This field may not be null."],
        ),
    ],
)
def test_other_qualifications_and_a_missing_code_are_named(api, customer, code, body, data):
    response = qualify(api, customer, code, **body)
    assert response.status_code == 400
    assert response.json() == error(400, "The request is not valid: see data.", data)


def test_a_partner_not_approved_for_gcc_gets_2006(api_for, client):
    organization = OrganizationFactory()  # no reseller qualification
    own_code = GccValidationFactory(partner=organization)
    customer = customer_of(organization)

    response = qualify(api_for(organization), customer, own_code)

    assert response.status_code == 403
    assert response.json()["code"] == 2006
    assert not CustomerQualification.objects.exists()


def test_a_read_client_cannot_qualify(api_for, partner, customer, code):
    reader = api_for(partner, scope=ApiClient.Scope.READ, name="Reports")
    response = qualify(reader, customer, code)
    assert response.status_code == 403
    assert not CustomerQualification.objects.exists()


def test_another_organizations_customer_is_404(api, code):
    theirs = customer_of(OrganizationFactory())
    response = qualify(api, theirs, code)
    assert response.status_code == 404
    assert not CustomerQualification.objects.exists()


def test_a_provider_does_not_qualify_its_resellers_customer(api_for):
    provider = OrganizationFactory(partner_type=Organization.PartnerType.INDIRECT_PROVIDER)
    ResellerQualificationFactory(organization=provider)
    reseller = OrganizationFactory(
        partner_type=Organization.PartnerType.INDIRECT_RESELLER, indirect_provider=provider
    )
    customer = customer_of(reseller)
    CustomerRelationship.objects.create(
        organization=provider, customer=customer, indirect_reseller=reseller
    )
    code = GccValidationFactory(partner=provider)

    response = qualify(api_for(provider), customer, code)

    assert response.status_code == 403
    assert response.json()["code"] == 20002
    assert not CustomerQualification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_one_request_at_once_qualify_once_and_get_the_same_answer(
    api, customer, code, monkeypatch
):
    """A client's retry sent while the first copy is still running (a timeout on its side):
    the second copy waits for the first, then gets its response; one create is taken."""
    race = Race()
    race.hold_after(monkeypatch, api_views, "customer_qualification_add")
    request_id = uuid.uuid4()

    def send():
        # A client of its own per thread (the test client keeps per-request state).
        return Client().post(
            path(customer),
            {"qualification": GCC, "validationCode": str(code.validation_id)},
            content_type="application/json",
            headers={**api.headers({}), "MS-RequestId": str(request_id)},
        )

    outcomes = race.run([send, send])

    assert [response.status_code for response in outcomes] == [201, 201]
    assert outcomes[0].json() == outcomes[1].json()
    assert race.waited == [1 - race.holder]  # the other copy provably waited
    assert CustomerQualification.objects.filter(customer=customer).count() == 1
    code.refresh_from_db()
    assert code.remaining_creates == 2


def test_the_2021_contract_with_the_code_in_the_query(api, customer, code):
    response = api.post(
        f"{path(customer)}?code={code.validation_id}",
        {"Qualification": GCC},
        headers={"MS-RequestId": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["qualification"] == GCC
    code.refresh_from_db()
    assert code.remaining_creates == 2


def test_the_legacy_contract_reads_and_sets_a_bare_string(api, customer, code):
    legacy = f"/v1/customers/{customer.tenant_id}/qualification"
    assert api.get(legacy).json() == "none"

    def put(body, query=f"?code={code.validation_id}"):
        return api.client.put(
            legacy + query,
            json.dumps(body),
            content_type="application/json",
            headers=api.headers({"MS-RequestId": str(uuid.uuid4())}),
        )

    assert put("education").status_code == 400
    missing = put("governmentcommunitycloud", query="")
    assert missing.status_code == 400
    assert CustomerQualification.objects.filter(customer=customer).count() == 0
    done = put("governmentcommunitycloud")
    assert (done.status_code, done.json()) == (201, "governmentcommunitycloud")
    assert api.get(legacy).json() == "governmentcommunitycloud"
    again = put("governmentcommunitycloud")
    assert again.status_code == 409  # irreversible: a second qualification is refused
    code.refresh_from_db()
    assert code.remaining_creates == 2
