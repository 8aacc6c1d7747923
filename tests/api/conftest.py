import pytest

from api.models import ApiClient
from api.services import api_client_create
from partners.models import Membership
from tests.factories import OrganizationFactory, ResellerQualificationFactory
from tests.helpers import agent_of


class Api:
    """Calls to the API with one client's token, as a partner's tool makes them."""

    def __init__(self, client, token: str):
        self.client = client
        self.token = token

    def headers(self, extra: dict) -> dict:
        return {"Authorization": f"Bearer {self.token}", **extra}

    def get(self, path: str, *, headers: dict | None = None, **query):
        return self.client.get(path, query, headers=self.headers(headers or {}))

    def post(self, path: str, body=None, *, headers: dict | None = None):
        return self.client.post(
            path, body or {}, content_type="application/json", headers=self.headers(headers or {})
        )


@pytest.fixture
def api_for(client):
    """api_for(organization, scope=..., name=...): an Api with a new client of that
    organization (created by its Admin agent, one is added when it has none)."""

    def make(organization, scope=ApiClient.Scope.WRITE, name="Billing sync") -> Api:
        admin = organization.memberships.filter(role=Membership.Role.ADMIN_AGENT).first()
        actor = admin.user if admin else agent_of(organization, Membership.Role.ADMIN_AGENT)
        created = api_client_create(organization=organization, actor=actor, name=name, scope=scope)
        return Api(client, created.token)

    return make


@pytest.fixture
def partner(db):
    """A direct reseller approved for GCC, with its Admin agent."""
    organization = OrganizationFactory(legal_name="Contoso Government Solutions LLC")
    ResellerQualificationFactory(organization=organization)
    agent_of(organization, Membership.Role.ADMIN_AGENT, email="ada@contoso.example")
    return organization


@pytest.fixture
def api(api_for, partner) -> Api:
    return api_for(partner)
