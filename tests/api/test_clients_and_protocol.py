"""API clients (the Admin agent's page and the tokens) and Partner Center's protocol:
bearer tokens, scopes, the error body, MS-CorrelationId, 429 with Retry-After."""

import hashlib
import uuid

import pytest
from django.core.cache import cache
from django.core.management import call_command

from api.models import ApiClient
from partners.models import Membership
from tests.factories import OrganizationFactory
from tests.helpers import agent_of

pytestmark = pytest.mark.django_db

CLIENTS = "/organization/api-clients/"


def error(code: int, description: str) -> dict:
    return {"code": code, "description": description, "data": [], "source": "GCCPortal"}


def token_on(response) -> str:
    html = response.content.decode()
    start = html.index('id="token-value" type="text" value="') + len(
        'id="token-value" type="text" value="'
    )
    return html[start : html.index('"', start)]


@pytest.fixture
def admin(partner):
    return partner.memberships.get(role=Membership.Role.ADMIN_AGENT).user


def test_the_admin_agent_creates_a_client_whose_token_is_shown_once_and_stored_hashed(
    client, admin, partner
):
    client.force_login(admin)

    response = client.post(CLIENTS, {"name": "Billing sync", "scope": "read"})

    assert response.status_code == 201
    token = token_on(response)
    created = ApiClient.objects.get(organization=partner)
    assert created.name == "Billing sync"
    assert created.scope == ApiClient.Scope.READ
    secret = token.split("_", 2)[2]  # gcp_<key id>_<secret> (the secret may hold "_")
    assert created.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token not in str(ApiClient.objects.filter(pk=created.pk).values().get())
    # The list shows the client, never the token again
    page = client.get(CLIENTS).content.decode()
    assert "Billing sync" in page and created.key_id in page
    assert token not in page and secret not in page
    # The token works; its client acts as a member that cannot sign in
    api_response = client.get(
        "/v1/customers/all/validations", headers={"Authorization": f"Bearer {token}"}
    )
    assert api_response.status_code == 200
    assert not created.user.has_usable_password()
    assert created.user.membership.role == Membership.Role.HELPDESK_AGENT


def test_a_client_without_a_name_is_refused_next_to_the_field(client, admin):
    client.force_login(admin)
    response = client.post(CLIENTS, {"name": "  ", "scope": "write"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ApiClient.objects.exists()


def test_two_active_clients_cannot_share_a_name(client, admin):
    client.force_login(admin)
    client.post(CLIENTS, {"name": "Billing sync", "scope": "read"})
    response = client.post(CLIENTS, {"name": "Billing sync", "scope": "write"})
    assert response.status_code == 400
    assert "Another active client of your organization has this name." in (
        response.content.decode()
    )
    assert ApiClient.objects.count() == 1


@pytest.mark.parametrize("role", [Membership.Role.SALES_AGENT, Membership.Role.HELPDESK_AGENT])
def test_only_the_admin_agent_manages_clients(client, partner, role):
    client.force_login(agent_of(partner, role))
    assert client.get(CLIENTS).status_code == 403
    response = client.post(CLIENTS, {"name": "Sneaky", "scope": "write"})
    assert response.status_code == 403
    assert "Only your organization&#x27;s Admin agent can manage API clients." in (
        response.content.decode()
    )
    assert not ApiClient.objects.exists()


def test_revoking_asks_first_then_the_token_stops_working(client, admin, api, partner):
    created = ApiClient.objects.get(organization=partner)
    client.force_login(admin)
    confirm = client.get(f"{CLIENTS}{created.pk}/revoke/confirm/")
    assert "Its token stops working with the next request" in confirm.content.decode()
    assert api.get("/v1/customers").status_code == 200

    response = client.post(f"{CLIENTS}{created.pk}/revoke/")

    assert response.status_code == 302
    created.refresh_from_db()
    assert created.revoked_at is not None
    assert not created.user.is_active
    refused = api.get("/v1/customers")
    assert refused.status_code == 401
    assert refused.json() == error(401, "This token is not valid or was revoked.")


def test_another_organizations_client_cannot_be_revoked_by_guessing_its_id(client, admin, api_for):
    theirs = api_for(OrganizationFactory())
    their_client = ApiClient.objects.exclude(organization__memberships__user=admin).get()
    client.force_login(admin)
    assert client.get(f"{CLIENTS}{their_client.pk}/revoke/confirm/").status_code == 404
    assert client.post(f"{CLIENTS}{their_client.pk}/revoke/").status_code == 404
    assert theirs.get("/v1/customers").status_code == 200


@pytest.mark.parametrize(
    ("authorization", "description"),
    [
        (None, "Authentication credentials were not provided."),
        ("Bearer gcp_0000000000000000_wrong", "This token is not valid or was revoked."),
        ("Bearer not-a-token", "This token is not valid or was revoked."),
        ("Basic dXNlcjpwYXNz", "Send the API client's token as: Authorization: Bearer <token>."),
    ],
)
def test_no_valid_token_is_401_with_the_bearer_challenge(client, authorization, description):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/v1/customers", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="GCC Portal API"'
    assert response.json() == error(401, description)


def test_a_signed_in_browser_session_is_not_an_api_credential(client, admin):
    client.force_login(admin)
    assert client.get("/v1/customers").status_code == 401


def test_a_read_client_may_not_write(api_for, partner):
    reader = api_for(partner, scope=ApiClient.Scope.READ, name="Reports")
    response = reader.post("/v1/customers", {})
    assert response.status_code == 403
    assert response.json() == error(
        403, "This API client may only read: ask your Admin agent for a read-and-write one."
    )


def test_the_last_use_is_recorded(api, partner):
    created = ApiClient.objects.get(organization=partner)
    assert created.last_used_at is None
    api.get("/v1/customers")
    created.refresh_from_db()
    assert created.last_used_at is not None


def test_the_correlation_id_is_echoed_or_made(api):
    correlation = str(uuid.uuid4())
    response = api.get("/v1/customers", headers={"MS-CorrelationId": correlation})
    assert response.headers["MS-CorrelationId"] == correlation
    made = api.get("/v1/customers").headers["MS-CorrelationId"]
    assert uuid.UUID(made)
    assert api.get("/v1/customers").headers["Cache-Control"] == "no-store"


def test_429_with_retry_after_per_client(api, api_for, partner, settings):
    settings.API_RATE_LIMIT = "3/min"
    cache.clear()
    for _ in range(3):
        assert api.get("/v1/customers").status_code == 200

    response = api.get("/v1/customers")

    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert response.json() == {
        "statusCode": 429,
        "message": f"Too many requests: try again in {retry_after} seconds.",
    }
    # Another client (of the same organization) has its own allowance
    assert api_for(partner, name="Another tool").get("/v1/customers").status_code == 200


def test_the_schema_describes_every_endpoint_without_a_warning(tmp_path):
    # drf-spectacular validates the generated OpenAPI 3 document against the specification
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    schema = (tmp_path / "schema.yml").read_text()
    for path in [
        "/v1/customers:",
        "/v1/customers/all/validations:",
        "/v1/customers/relationshiprequests:",
        "/v1/customers/{customer_id}/qualifications:",
        "/v1/customers/{customer_id}/orders/{order_id}/provisioningstatus:",
        "/v1/offers:",
        "/v1/partnervalidationrequests:",
        "/v1/partnervalidationrequests/{request_id}:",
        "/v1/customervalidationrequests:",
        "/v1/customervalidationrequests/{request_id}:",
    ]:
        assert path in schema
    # What Partner Center does not have is named as the portal's own.
    assert schema.count("- 'Portal extension: GCC validation requests'") == 8


def test_the_schema_and_its_reference_page_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/v1/customers/all/validations" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200


def test_an_unknown_query_parameter_or_seek_operation_is_refused(api):
    misspelt = api.get("/v1/customers", sise=10)
    assert misspelt.status_code == 400
    assert misspelt.json()["description"] == "Unknown query parameter: sise."
    backwards = api.get("/v1/customers", seekOperation="Previous")
    assert backwards.status_code == 400
    assert backwards.json()["description"] == "seekOperation can only be Next."
