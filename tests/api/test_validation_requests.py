"""GCC validation requests in the API (a portal extension): contract tests with exact JSON,
multipart documents, replays, another organization's IDs, withdrawal with If-Match (412)."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework import serializers

from api.models import ApiClient
from customers.validations.models import CustomerValidationDocument, CustomerValidationRequest
from customers.validations.services import customer_validation_request_info
from partners.models import Membership, PartnerValidationRequest
from reviews.services import review_start
from tests.factories import (
    CustomerValidationRequestFactory,
    OrganizationFactory,
    ReviewerFactory,
)
from tests.helpers import PDF, agent_of

pytestmark = pytest.mark.django_db

PARTNER_REQUESTS = "/v1/partnervalidationrequests"
CUSTOMER_REQUESTS = "/v1/customervalidationrequests"


def new_id() -> dict:
    return {"MS-RequestId": str(uuid.uuid4())}


def iso(value) -> str:
    """A time as every API response writes it (ISO 8601, in the portal's time zone)."""
    return serializers.DateTimeField().to_representation(value)


@pytest.fixture
def applicant(db):
    """An organization not approved for GCC yet, with its Admin agent."""
    organization = OrganizationFactory(legal_name="Fabrikam Federal LLC")
    agent_of(organization, Membership.Role.ADMIN_AGENT, email="ada@fabrikam.example")
    return organization


def partner_answers(organization) -> dict:
    return {
        "tenantId": str(organization.commercial_tenant_id),
        "contactName": "Dana Contact",
        "contactEmail": "dana@fabrikam.example",
        "contactPhone": "+1 202 555 0143",
        "governmentSegments": ["federal", "state"],
        "contractVehicles": "GSA Multiple Award Schedule",
        "attested": True,
    }


def customer_answers(partner) -> dict:
    return {
        "organizationName": "City of Springfield",
        "organizationType": "local",
        "domain": "springfield.gov",
        "contactName": "Robin Clerk",
        "contactEmail": "robin.clerk@springfield.gov",
        "contactPhone": "+1 217 555 0199",
        "transactingPartnerId": str(partner.commercial_tenant_id),
    }


def test_applying_for_gcc_returns_the_request_with_its_timeline(api_for, applicant):
    api = api_for(applicant)
    response = api.post(PARTNER_REQUESTS, partner_answers(applicant), headers=new_id())
    assert response.status_code == 201, response.json()
    request = PartnerValidationRequest.objects.get(organization=applicant)
    body = response.json()
    assert response["ETag"] == body["eTag"]
    service_account = ApiClient.objects.get(organization=applicant).user.email
    assert body == {
        "id": str(request.pk),
        "status": "submitted",
        "submittedDate": iso(request.submitted_at),
        "submittedBy": service_account,
        "dueDate": iso(request.due_at),
        "decidedDate": None,
        "decisionNote": "",
        "informationRequested": None,
        "eTag": body["eTag"],
        "tenantId": str(applicant.commercial_tenant_id),
        "contactName": "Dana Contact",
        "contactEmail": "dana@fabrikam.example",
        "contactPhone": "+1 202 555 0143",
        "governmentSegments": ["federal", "state"],
        "contractVehicles": "GSA Multiple Award Schedule",
        "attributes": {"objectType": "PartnerValidationRequest"},
        "timeline": [
            {
                "action": "submitted",
                "description": "Request submitted",
                "fromStatus": "",
                "toStatus": "submitted",
                "date": body["timeline"][0]["date"],
                "by": {"type": "member", "email": service_account},
                "note": "",
            }
        ],
    }


def test_the_forms_rules_answer_by_json_name_and_nothing_is_created(api_for, applicant):
    api = api_for(applicant)
    answers = {**partner_answers(applicant), "contactEmail": "not-an-email", "attested": False}
    del answers["governmentSegments"]
    response = api.post(PARTNER_REQUESTS, answers, headers=new_id())
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400
    assert body["description"] == "The request is not valid: see data."
    assert sorted(message.split(":")[0] for message in body["data"]) == [
        "attested",
        "contactEmail",
        "governmentSegments",
    ]
    assert not PartnerValidationRequest.objects.exists()


def test_an_approved_partner_cannot_apply_again(api, partner):
    response = api.post(PARTNER_REQUESTS, partner_answers(partner), headers=new_id())
    assert response.status_code == 409
    assert "already approved" in response.json()["description"]


def test_a_replay_with_the_same_request_id_makes_one_request(api_for, applicant):
    api = api_for(applicant)
    headers = new_id()
    first = api.post(PARTNER_REQUESTS, partner_answers(applicant), headers=headers)
    again = api.post(PARTNER_REQUESTS, partner_answers(applicant), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert PartnerValidationRequest.objects.filter(organization=applicant).count() == 1
    other = api.post(
        PARTNER_REQUESTS, {**partner_answers(applicant), "contactName": "Eve"}, headers=headers
    )
    assert other.status_code == 409


def test_a_read_only_client_cannot_apply(api_for, applicant):
    api = api_for(applicant, scope=ApiClient.Scope.READ)
    response = api.post(PARTNER_REQUESTS, partner_answers(applicant), headers=new_id())
    assert response.status_code == 403
    assert not PartnerValidationRequest.objects.exists()


def test_a_customer_request_with_documents_as_multipart(api, partner, client):
    answers = customer_answers(partner)
    response = client.post(
        CUSTOMER_REQUESTS,
        {
            **answers,
            "regulatedData": [],
            "documents": [
                SimpleUploadedFile("charter.pdf", PDF, content_type="application/pdf"),
                SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf"),
            ],
        },
        headers=api.headers(new_id()),
    )
    assert response.status_code == 201, response.json()
    request = CustomerValidationRequest.objects.get(organization=partner)
    documents = list(CustomerValidationDocument.objects.filter(request=request).order_by("pk"))
    body = response.json()
    assert body["documents"] == [
        {
            "id": str(document.pk),
            "name": document.original_name,
            "contentType": "application/pdf",
            "size": len(PDF),
            "source": "partner",
            "uploadedDate": iso(document.uploaded_at),
        }
        for document in documents
    ]
    assert [d.original_name for d in documents] == ["charter.pdf", "letter.pdf"]
    assert {key: body[key] for key in answers} == answers
    assert (body["status"], body["validationId"], body["regulatedData"]) == (
        "submitted",
        None,
        [],
    )
    assert body["attributes"] == {"objectType": "CustomerValidationRequest"}


def test_a_customer_request_as_json_and_a_document_that_is_not_one(api, partner, client):
    response = api.post(CUSTOMER_REQUESTS, customer_answers(partner), headers=new_id())
    assert response.status_code == 201
    assert response.json()["documents"] == []
    refused = client.post(
        CUSTOMER_REQUESTS,
        {
            **customer_answers(partner),
            "domain": "shelbyville.gov",
            "contactEmail": "it@shelbyville.gov",
            "documents": [SimpleUploadedFile("charter.pdf", b"MZ\x90\x00 not a pdf")],
        },
        headers=api.headers(new_id()),
    )
    assert refused.status_code == 400
    assert [m.split(":")[0] for m in refused.json()["data"]] == ["documents"]
    assert CustomerValidationRequest.objects.count() == 1


def test_the_list_is_newest_first_and_continues_with_a_token(api, partner):
    requests = [
        CustomerValidationRequestFactory(organization=partner, government_domain=f"t{n}.gov")
        for n in range(3)
    ]
    CustomerValidationRequestFactory()  # another organization's
    first = api.get(CUSTOMER_REQUESTS, size=2)
    body = first.json()
    expected = sorted(requests, key=lambda r: (r.submitted_at, r.pk), reverse=True)
    assert [item["id"] for item in body["items"]] == [str(r.pk) for r in expected[:2]]
    assert "timeline" not in body["items"][0]
    link = body["links"]["next"]
    token = link["headers"][0]["value"]
    CustomerValidationRequestFactory(organization=partner)  # newer: not on the next page
    second = api.get(
        CUSTOMER_REQUESTS,
        headers={"MS-ContinuationToken": token},
        size=2,
        seekOperation="Next",
    ).json()
    assert [item["id"] for item in second["items"]] == [str(expected[2].pk)]
    assert "links" not in second


def test_another_organizations_request_is_not_found(api, partner):
    theirs = CustomerValidationRequestFactory()
    their_partner_request = PartnerValidationRequest.objects.create(
        organization=theirs.organization,
        submitted_by=theirs.submitted_by,
        commercial_tenant_id=theirs.organization.commercial_tenant_id,
        contact_name="X",
        contact_email="x@other.example",
        contact_phone="+1 202 555 0100",
        contract_vehicles="-",
        idempotency_key=uuid.uuid4(),
    )
    for path in [
        f"{CUSTOMER_REQUESTS}/{theirs.pk}",
        f"{PARTNER_REQUESTS}/{their_partner_request.pk}",
        f"{CUSTOMER_REQUESTS}/not-a-number",
    ]:
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json()["description"] == "No such validation request."
    response = api.client.patch(
        f"{CUSTOMER_REQUESTS}/{theirs.pk}",
        {"status": "withdrawn"},
        content_type="application/json",
        headers=api.headers({}),
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "submitted"


def patch(api, path, body, **headers):
    return api.client.patch(
        path, body, content_type="application/json", headers=api.headers(headers)
    )


def test_withdrawing_with_a_stale_etag_is_412_and_with_the_fresh_one_works(api, partner):
    request = CustomerValidationRequestFactory(organization=partner)
    path = f"{CUSTOMER_REQUESTS}/{request.pk}"
    read = api.get(path)
    etag = read.json()["eTag"]
    # Meanwhile a reviewer starts the review: the request changed.
    review_start(model=CustomerValidationRequest, request_id=request.pk, reviewer=ReviewerFactory())
    stale = patch(api, path, {"status": "withdrawn"}, **{"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json()["code"] == 412
    request.refresh_from_db()
    assert request.status == "in_review"

    fresh = api.get(path).json()["eTag"]
    assert fresh != etag
    done = patch(api, path, {"status": "withdrawn"}, **{"If-Match": fresh})
    assert done.status_code == 200
    assert done.json()["status"] == "withdrawn"
    assert [event["action"] for event in done.json()["timeline"]] == [
        "review_started",
        "withdrawn",
    ]
    assert done.json()["timeline"][0]["by"] == {"type": "reviewTeam"}
    again = patch(api, path, {"status": "withdrawn"})
    assert again.status_code == 409


def test_only_withdrawing_is_a_status_change(api, partner):
    request = CustomerValidationRequestFactory(organization=partner)
    response = patch(api, f"{CUSTOMER_REQUESTS}/{request.pk}", {"status": "approved"})
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.status == "submitted"


def test_a_question_shows_in_the_request(api, partner):
    request = CustomerValidationRequestFactory(organization=partner)
    reviewer = ReviewerFactory()
    review_start(model=CustomerValidationRequest, request_id=request.pk, reviewer=reviewer)
    customer_validation_request_info(
        request_id=request.pk, reviewer=reviewer, message="Send the city charter."
    )
    body = api.get(f"{CUSTOMER_REQUESTS}/{request.pk}").json()
    request.refresh_from_db()
    assert body["status"] == "info_requested"
    assert body["dueDate"] is None
    assert body["informationRequested"] == {
        "message": "Send the city charter.",
        "requestedDate": iso(request.info_requested_at),
        "response": "",
        "respondedDate": None,
    }


def test_a_multipart_replay_is_one_request_and_other_documents_under_its_id_are_409(
    api, partner, client
):
    headers = api.headers(new_id())

    def send(content: bytes):
        return client.post(
            CUSTOMER_REQUESTS,
            {
                **customer_answers(partner),
                "documents": [SimpleUploadedFile("charter.pdf", content)],
            },
            headers=headers,
        )

    first, again = send(PDF), send(PDF)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert CustomerValidationDocument.objects.count() == 1
    assert send(PDF.replace(b"1 0 obj", b"2 0 obj")).status_code == 409


def test_a_list_item_is_the_request_without_its_timeline(api_for, applicant):
    api = api_for(applicant)
    created = api.post(PARTNER_REQUESTS, partner_answers(applicant), headers=new_id()).json()
    listed = api.get(PARTNER_REQUESTS).json()
    created.pop("timeline")
    assert listed == {
        "totalCount": 1,
        "items": [created],
        "attributes": {"objectType": "Collection"},
    }
