"""Load the initial offer catalogue (orders/catalogue.csv, read by orders/catalogue.py)."""

from django.db import migrations

from orders.catalogue import CATALOGUE, catalogue_load


def load(apps, schema_editor):
    catalogue_load(apps.get_model("orders", "Offer"))


def unload(apps, schema_editor):
    apps.get_model("orders", "Offer").objects.filter(
        offer_id__in=[offer["offer_id"] for offer in CATALOGUE]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
