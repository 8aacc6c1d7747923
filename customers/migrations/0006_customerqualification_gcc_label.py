"""The GCC customer qualification's label: the one people read everywhere (its value,
Partner Center's "GovernmentCommunityCloud", is unchanged)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0005_customerrelationship_idempotency_key_info_answer_key"),
    ]

    operations = [
        migrations.AlterField(
            model_name="customerqualification",
            name="qualification",
            field=models.CharField(
                choices=[
                    ("Education", "Education"),
                    ("Nonprofit", "Nonprofit"),
                    ("GovernmentCommunityCloud", "Government Community Cloud (GCC)"),
                ],
                max_length=40,
                verbose_name="qualification",
            ),
        ),
    ]
