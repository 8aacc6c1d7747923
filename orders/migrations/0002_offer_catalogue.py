"""Load the initial offer catalogue (orders/catalogue.py)."""

from django.db import migrations

from orders.catalogue import CATALOGUE, catalogue_load


def load(apps, schema_editor):
    catalogue_load(apps.get_model("orders", "Offer"))


def unload(apps, schema_editor):
    apps.get_model("orders", "Offer").objects.filter(
        offer_id__in=[row[0] for row in CATALOGUE]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
