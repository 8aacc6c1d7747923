"""The permission backend (accounts/backends.py): Django's answers, read in one query."""

import pytest
from django.contrib.auth import backends as django_backends
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import ModelBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def permission(codename: str) -> Permission:
    return Permission.objects.get(codename=codename)


def fresh(user):
    """The user read again: nothing kept from an earlier check."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def user():
    """A user with a permission of their own and one of a group's (and one both give)."""
    user = UserFactory()
    group = Group.objects.create(name="Testers")
    group.permissions.add(permission("view_customer"), permission("view_order"))
    user.groups.add(group)
    user.user_permissions.add(permission("view_auditevent"), permission("view_order"))
    UserFactory().user_permissions.add(permission("view_offer"))  # someone else's
    return user


def test_the_permissions_are_djangos_read_in_one_query(user):
    # when
    with CaptureQueriesContext(connection) as queries:
        checked = fresh(user)
        answers = [
            checked.has_perm("customers.view_customer"),
            checked.has_perm("reviews.view_auditevent"),
            checked.has_perm("orders.view_offer"),
            checked.has_perms(["orders.view_order", "customers.view_customer"]),
        ]

    # then: the same answers and sets as Django's backend, in one query after the user's
    assert answers == [True, True, False, True]
    assert len(queries) == 2
    ours, djangos = ModelBackend(), django_backends.ModelBackend()
    for method in ("get_user_permissions", "get_group_permissions", "get_all_permissions"):
        assert getattr(ours, method)(fresh(user)) == getattr(djangos, method)(fresh(user))
    assert ours.get_user_permissions(fresh(user)) == {
        "reviews.view_auditevent",
        "orders.view_order",
    }
    assert ours.get_group_permissions(fresh(user)) == {
        "customers.view_customer",
        "orders.view_order",
    }


def test_an_inactive_user_has_none_and_a_superuser_all(user):
    inactive = fresh(user)
    inactive.is_active = False
    superuser = UserFactory(is_superuser=True)

    with CaptureQueriesContext(connection) as queries:
        assert ModelBackend().get_all_permissions(inactive) == set()
    assert queries.captured_queries == []
    assert ModelBackend().get_all_permissions(fresh(superuser)) == (
        django_backends.ModelBackend().get_all_permissions(fresh(superuser))
    )
    assert fresh(superuser).has_perm("orders.view_offer")


def test_a_user_without_permissions_has_none():
    assert ModelBackend().get_all_permissions(UserFactory()) == set()
