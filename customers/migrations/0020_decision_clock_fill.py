"""Records the decision clock of the SLA figures on the requests decided before it existed
(reviews.backfill.decision_clock_fill says what is exact and what is approximated)."""

from django.db import migrations


def fill(apps, schema_editor):
    from reviews.backfill import decision_clock_fill

    decision_clock_fill(
        apps.get_model("customers", "CustomerValidationRequest"),
        audit_event_model=apps.get_model("reviews", "AuditEvent"),
        content_type_model=apps.get_model("contenttypes", "ContentType"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0019_decision_clock"),
        ("reviews", "0003_field_labels"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
