"""Sign-in email addresses: case-insensitive, stored lower-cased."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_an_address_typed_in_another_case_signs_in_the_account(client):
    user = UserFactory(email="robin@example.gov")

    response = client.post(
        reverse("login"), {"username": "Robin@Example.gov", "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(
    "create",
    [
        lambda email: User.objects.create_user(email=email, password=TEST_PASSWORD),
        lambda email: User.objects.create(email=email),
    ],
    ids=["create_user", "save"],
)
def test_new_addresses_are_stored_lower_cased(create):
    user = create("Robin.Clerk@Example.GOV")

    user.refresh_from_db()
    assert user.email == "robin.clerk@example.gov"


def test_one_account_per_address_whatever_its_case(db):
    UserFactory(email="robin@example.gov")
    other = UserFactory(email="other@example.gov")

    # Even past save(): the database refuses a second spelling of the address.
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=other.pk).update(email="ROBIN@example.gov")


def test_the_admin_refuses_an_address_taken_in_another_case(admin_client):
    UserFactory(email="robin@example.gov")

    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Robin@Example.gov",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "usable_password": "true",
        },
    )

    assert response.status_code == 200
    assert "User with this Email address already exists." in response.content.decode()
    assert User.objects.filter(email__iexact="robin@example.gov").count() == 1
