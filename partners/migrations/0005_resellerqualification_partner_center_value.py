"""The GCC reseller qualification in Partner Center's spelling, with the label people read.

Rows stored as "Government_community_cloud" become "GovernmentCommunityCloud" (the value
customers' qualifications already use); reversing restores the old spelling. Past audit
notes keep the value they recorded: the trail is append-only.
"""

from django.db import migrations, models

OLD = "Government_community_cloud"
NEW = "GovernmentCommunityCloud"


def to_partner_center_value(apps, schema_editor):
    ResellerQualification = apps.get_model("partners", "ResellerQualification")
    ResellerQualification.objects.filter(qualification=OLD).update(qualification=NEW)


def to_old_value(apps, schema_editor):
    ResellerQualification = apps.get_model("partners", "ResellerQualification")
    ResellerQualification.objects.filter(qualification=NEW).update(qualification=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0004_partnervalidationrequest_info_answer_key"),
    ]

    operations = [
        migrations.AlterField(
            model_name="resellerqualification",
            name="qualification",
            field=models.CharField(
                choices=[("GovernmentCommunityCloud", "Government Community Cloud (GCC)")],
                max_length=50,
                verbose_name="qualification",
            ),
        ),
        migrations.RunPython(to_partner_center_value, to_old_value),
    ]
