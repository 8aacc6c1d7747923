"""The eligibility pre-check's outcome in the API: read only, as the request was stored."""

import uuid

import pytest

from customers.validations.services import customer_validation_submit
from partners.models import Membership
from tests.factories import customer_validation_answers

pytestmark = pytest.mark.django_db

CUSTOMER_REQUESTS = "/v1/customervalidationrequests"


def _submitted(partner, **extra):
    agent = partner.memberships.get(role=Membership.Role.ADMIN_AGENT).user
    return customer_validation_submit(
        organization=partner, submitted_by=agent, **customer_validation_answers(partner), **extra
    )


def test_a_request_shows_the_outcome_of_its_check_and_none_when_skipped(api, partner):
    # given: one request after a check (a government of another country), one without
    checked = _submitted(
        partner,
        eligibility_answers={
            "organization_legal_name": "City of Springfield",
            "government_domain": "springfield.gov",
            "customer_kind": "foreign_government",
            "regulated_data": [],
            "location": "",
            "agreement": "",
        },
    )
    skipped = _submitted(partner)

    # when
    one = api.get(f"{CUSTOMER_REQUESTS}/{checked.pk}").json()
    other = api.get(f"{CUSTOMER_REQUESTS}/{skipped.pk}").json()
    listed = {item["id"]: item for item in api.get(CUSTOMER_REQUESTS).json()["items"]}

    # then
    assert (one["eligibilityOutcome"], other["eligibilityOutcome"]) == ("likely_ineligible", "")
    assert listed[str(checked.pk)]["eligibilityOutcome"] == "likely_ineligible"


def test_a_client_cant_set_an_outcome(api, partner):
    body = {
        "organizationName": "City of Springfield",
        "organizationType": "local",
        "domain": "springfield.gov",
        "contactName": "Robin Clerk",
        "contactEmail": "robin.clerk@springfield.gov",
        "contactPhone": "+1 217 555 0199",
        "transactingPartnerId": str(partner.commercial_tenant_id),
        "eligibilityOutcome": "likely_eligible",
        "eligibilityAnswers": {"customer_kind": "federal"},
    }

    response = api.post(CUSTOMER_REQUESTS, body, headers={"MS-RequestId": str(uuid.uuid4())})

    assert response.status_code == 201, response.json()
    assert response.json()["eligibilityOutcome"] == ""
