"""The reviewer groups and the only admin permissions they hold.

Reviewers may view and decide every kind of reviewed request: read from the models (each
`ReviewableRequest` subclass's view and `decide_<model name>` permissions). What else they
may see or do in the admin, each app declares on its AppConfig, among its own permissions:
`reviewer_permissions` (reviewers and their leads) and `reviewer_lead_permissions` (the leads
only), so this module names no other app.

Synced after the migrations (post_migrate, connected in `ReviewsConfig.ready`), so new
permissions added by later migrations reach the groups, and test databases flushed between
tests get them back.
"""

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission

from .selectors import review_kinds


def review_kind_permissions() -> set[tuple[str, str]]:
    """(app label, codename): viewing and deciding every kind of reviewed request installed."""
    wanted = set()
    for model in review_kinds():
        app_label, _dot, decide = model.review_decide_permission().partition(".")
        wanted |= {(app_label, f"view_{model._meta.model_name}"), (app_label, decide)}
    return wanted


def review_kind_lead_permissions() -> set[tuple[str, str]]:
    """(app label, codename): giving a request of every kind to another reviewer."""
    return {tuple(model.review_reassign_permission().split(".", 1)) for model in review_kinds()}


def app_declared_permissions(attribute: str) -> set[tuple[str, str]]:
    """(app label, codename): the permissions the installed apps list in their AppConfig's
    `attribute`."""
    return {
        (config.label, codename)
        for config in apps.get_app_configs()
        for codename in getattr(config, attribute, ())
    }


def _last_app_with_models():
    """The app post_migrate is sent for last (Django sends it for each app with models, in
    INSTALLED_APPS order)."""
    return [config for config in apps.get_app_configs() if config.models_module is not None][-1]


def reviewer_groups_sync(app_config=None, **kwargs) -> None:
    """Give the reviewer groups exactly their permissions. As a post_migrate receiver (sent
    once per app, after every migration or flush), only for the last app: auth's receiver has
    created every app's permissions by then (each earlier run would be overwritten anyway)."""
    if app_config is not None and app_config is not _last_app_with_models():
        return
    reviewer = review_kind_permissions() | app_declared_permissions("reviewer_permissions")
    lead = (
        reviewer
        | review_kind_lead_permissions()
        | app_declared_permissions("reviewer_lead_permissions")
    )
    for name, wanted in (
        (settings.REVIEWER_GROUP_NAME, reviewer),
        (settings.REVIEWER_LEAD_GROUP_NAME, lead),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        permissions = [
            permission
            for permission in Permission.objects.filter(
                content_type__app_label__in={app for app, _codename in wanted}
            ).select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        group.permissions.set(permissions)
