"""The reviewer groups and the only admin permissions they hold.

Reviewers may view and decide every kind of reviewed request: read from the models (each
`ReviewableRequest` subclass's view and `decide_<model name>` permissions). What
else they may see or do in the admin, each app grants in its `ready()` with
`reviewer_permissions_grant`, so this module names no app above it.

Synced after every app's migrations (post_migrate, connected in `ReviewsConfig.ready`), so new
permissions added by later migrations reach the groups, and test databases flushed between
tests get them back.
"""

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission

from .models import ReviewableRequest

# (app label, codename); the apps fill these in at start-up, before any post_migrate.
REVIEWER_PERMISSIONS: set[tuple[str, str]] = {("reviews", "view_auditevent")}
LEAD_PERMISSIONS: set[tuple[str, str]] = {
    ("notifications", "view_outboxmessage"),
    ("notifications", "resend_outboxmessage"),
    ("jobs", "view_taskdelivery"),
}


def reviewer_permissions_grant(app_label: str, *codenames: str, leads_only: bool = False) -> None:
    """Grant `app_label`'s permissions `codenames` to reviewers (and leads), or to the leads
    only. Call from the app's AppConfig.ready()."""
    (LEAD_PERMISSIONS if leads_only else REVIEWER_PERMISSIONS).update(
        (app_label, codename) for codename in codenames
    )


def review_kind_permissions() -> set[tuple[str, str]]:
    """Viewing and deciding every kind of reviewed request installed."""
    wanted = set()
    for model in apps.get_models():
        if issubclass(model, ReviewableRequest):
            app_label, _dot, decide = model.review_decide_permission().partition(".")
            wanted |= {(app_label, f"view_{model._meta.model_name}"), (app_label, decide)}
    return wanted


def reviewer_groups_sync(**kwargs) -> None:
    reviewer = review_kind_permissions() | REVIEWER_PERMISSIONS
    for name, wanted in (
        (settings.REVIEWER_GROUP_NAME, reviewer),
        (settings.REVIEWER_LEAD_GROUP_NAME, reviewer | LEAD_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        # Runs after each app's migrations: grant what exists so far; the last run has all.
        permissions = [
            permission
            for permission in Permission.objects.filter(
                content_type__app_label__in={app for app, _codename in wanted}
            ).select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        group.permissions.set(permissions)
