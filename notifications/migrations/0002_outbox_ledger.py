"""The outbox as a ledger: sending/failed states, a stable Message-ID, due times."""

import django.utils.timezone
from django.db import migrations, models

import notifications.models


def message_ids_fill(apps, schema_editor):
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    for message in OutboxMessage.objects.filter(message_id__isnull=True).only("pk").iterator():
        OutboxMessage.objects.filter(pk=message.pk).update(
            message_id=notifications.models.message_id_new()
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        migrations.AlterModelOptions(
            name="outboxmessage",
            options={
                "ordering": ["-created_at"],
                "permissions": [("resend_outboxmessage", "Can send a failed email again")],
                "verbose_name": "outbox email",
                "verbose_name_plural": "outbox emails",
            },
        ),
        migrations.RemoveIndex(model_name="outboxmessage", name="outbox_pending_idx"),
        migrations.AlterField(
            model_name="outboxmessage",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="message_id",
            field=models.CharField(max_length=200, null=True, editable=False),
        ),
        migrations.RunPython(message_ids_fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="outboxmessage",
            name="message_id",
            field=models.CharField(
                default=notifications.models.message_id_new,
                editable=False,
                max_length=200,
                unique=True,
                verbose_name="Message-ID",
            ),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="next_attempt_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="next attempt at"
            ),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="maybe_sent",
            field=models.BooleanField(default=False, verbose_name="may have been sent"),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="failed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="failed at"),
        ),
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "sending"])),
                fields=["next_attempt_at"],
                name="outbox_due_idx",
            ),
        ),
    ]
