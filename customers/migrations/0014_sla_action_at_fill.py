"""Gives the open requests written before `sla_action_at` existed their next review clock
action (the SLA sweep reads only that column)."""

from django.db import migrations


def fill(apps, schema_editor):
    from reviews.backfill import sla_action_at_fill

    sla_action_at_fill(apps.get_model("customers", "CustomerValidationRequest"))


class Migration(migrations.Migration):
    dependencies = [("customers", "0013_customervalidationrequest_sla_action_at")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
