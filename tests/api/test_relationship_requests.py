"""GET /v1/customers/relationshiprequests: the link that invites a customer into a reseller
relationship, Partner Center's shape: the same link while it can be accepted, then a new one."""

from urllib.parse import urlsplit

import pytest

from api.models import ApiClient
from customers.invitations import services as invitation_services
from customers.invitations.models import ResellerInvitation

pytestmark = pytest.mark.django_db

PATH = "/v1/customers/relationshiprequests"


def test_a_write_client_gets_its_invitation_link_the_same_each_time(api, client, partner):
    first = api.get(PATH)

    assert first.status_code == 200
    body = first.json()
    invitation = ResellerInvitation.objects.get(organization=partner)
    assert invitation.created_by == ApiClient.objects.get().user
    assert body == {
        "url": body["url"],
        "attributes": {"objectType": "RelationshipRequest"},
    }
    assert body["url"].startswith("http")
    assert api.get(PATH).json() == body
    assert ResellerInvitation.objects.filter(organization=partner).count() == 1
    # The link is the customer's acceptance page
    page = client.get(urlsplit(body["url"]).path)
    assert page.status_code == 200
    assert partner.legal_name in page.content.decode()


def test_a_revoked_link_is_replaced_by_a_new_one(api, partner, client):
    first = api.get(PATH).json()["url"]
    invitation = ResellerInvitation.objects.get(organization=partner)
    invitation_services.invitation_revoke(
        invitation_id=invitation.pk, organization=partner, actor=invitation.created_by
    )

    second = api.get(PATH).json()["url"]

    assert second != first
    assert client.get(urlsplit(first).path).status_code == 410
    assert client.get(urlsplit(second).path).status_code == 200


def test_a_read_client_is_told_it_needs_write(api_for, partner):
    reader = api_for(partner, scope=ApiClient.Scope.READ, name="Reports")
    response = reader.get(PATH)
    assert response.status_code == 403
    assert response.json() == {
        "code": 403,
        "description": "A relationship request link is made for the caller: it needs a "
        "read-and-write client.",
        "data": [],
        "source": "GCCPortal",
    }
    assert not ResellerInvitation.objects.exists()
