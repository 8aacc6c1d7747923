import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_dashboard_for_admin_agent_shows_apply_button(client, admin_agent):
    client.force_login(admin_agent)

    response = client.get(reverse("partners:dashboard"))

    assert response.status_code == 200
    assert reverse("partners:validation_create") in response.content.decode()
