"""The GCC qualification's one value and label, and the migration of partners' stored rows
from "Government_community_cloud" to Partner Center's "GovernmentCommunityCloud"."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from customers.models import CustomerQualification
from partners.models import ResellerQualification
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD, GOVERNMENT_COMMUNITY_CLOUD_LABEL
from tests.factories import ResellerQualificationFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "partners.migrations.0005_resellerqualification_partner_center_value"
)


def test_partners_and_customers_share_one_value_and_one_label():
    # Given / When the two models' GCC choices
    reseller = ResellerQualification.Qualification.GOVERNMENT_COMMUNITY_CLOUD
    customer = CustomerQualification.Qualification.GOVERNMENT_COMMUNITY_CLOUD
    # Then both are Partner Center's value, read as the one label
    assert (
        reseller.value == customer.value == GOVERNMENT_COMMUNITY_CLOUD == "GovernmentCommunityCloud"
    )
    with translation.override("en"):
        assert str(reseller.label) == str(customer.label) == str(GOVERNMENT_COMMUNITY_CLOUD_LABEL)
        assert str(GOVERNMENT_COMMUNITY_CLOUD_LABEL) == "Government Community Cloud (GCC)"


def test_the_migration_moves_stored_rows_to_partner_center_value_and_back():
    # Given: a qualification stored in the old spelling, and one already in the new
    old = ResellerQualificationFactory(qualification="Government_community_cloud")
    new = ResellerQualificationFactory()

    # When the migration runs
    migration.to_partner_center_value(apps, None)

    # Then both hold Partner Center's value
    values = dict(ResellerQualification.objects.values_list("pk", "qualification"))
    assert values == {old.pk: GOVERNMENT_COMMUNITY_CLOUD, new.pk: GOVERNMENT_COMMUNITY_CLOUD}

    # When it is reversed
    migration.to_old_value(apps, None)

    # Then the rows are in the old spelling again
    assert set(ResellerQualification.objects.values_list("qualification", flat=True)) == {
        "Government_community_cloud"
    }
