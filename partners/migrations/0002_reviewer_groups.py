"""The reviewer groups, with only the admin permissions reviewers need."""

from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations

REVIEWER_PERMISSIONS = [
    ("partners", "view_organization"),
    ("partners", "view_membership"),
    ("partners", "view_resellerqualification"),
    ("partners", "view_partnervalidationrequest"),
    ("partners", "decide_partnervalidationrequest"),
    ("reviews", "view_auditevent"),
]
LEAD_PERMISSIONS = [*REVIEWER_PERMISSIONS, ("notifications", "view_outboxmessage")]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in (
        (settings.REVIEWER_GROUP_NAME, REVIEWER_PERMISSIONS),
        (settings.REVIEWER_LEAD_GROUP_NAME, LEAD_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("reviews", "0001_initial"),
        ("notifications", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
