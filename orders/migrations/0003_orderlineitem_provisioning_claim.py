from django.db import migrations, models


def line_status_from_outcome(apps, schema_editor):
    """Existing lines: provisioned when they have a subscription, failed with an error."""
    OrderLineItem = apps.get_model("orders", "OrderLineItem")
    OrderLineItem.objects.filter(subscription__isnull=False).update(status="provisioned")
    OrderLineItem.objects.filter(subscription__isnull=True).exclude(error="").update(
        status="failed"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_offer_catalogue"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderlineitem",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("provisioning", "Provisioning"),
                    ("provisioned", "Provisioned"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=20,
                verbose_name="provisioning status",
            ),
        ),
        migrations.AddField(
            model_name="orderlineitem",
            name="attempts",
            field=models.PositiveIntegerField(default=0, verbose_name="provisioning attempts"),
        ),
        migrations.AddField(
            model_name="orderlineitem",
            name="claimed_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="claimed until"),
        ),
        migrations.AddField(
            model_name="orderlineitem",
            name="claimed_by",
            field=models.CharField(blank=True, max_length=64, verbose_name="claimed by"),
        ),
        migrations.RunPython(line_status_from_outcome, migrations.RunPython.noop),
    ]
