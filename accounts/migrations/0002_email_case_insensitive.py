"""Addresses stored lower-cased, unique whatever their case."""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models.functions import Lower


def emails_lower(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    clashes = (
        User.objects.annotate(lowered=Lower("email"))
        .values("lowered")
        .annotate(count=models.Count("pk"))
        .filter(count__gt=1)
    )
    names = [row["lowered"] for row in clashes]
    if names:
        raise RuntimeError(
            "These addresses belong to several accounts differing only in case; merge or "
            f"rename them, then migrate again: {', '.join(sorted(names))}"
        )
    for user in User.objects.exclude(email=Lower("email")).only("pk", "email"):
        User.objects.filter(pk=user.pk).update(email=user.email.lower())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(emails_lower, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                name="accounts_user_email_ci_unique",
            ),
        ),
    ]
