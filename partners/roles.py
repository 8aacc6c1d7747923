"""The reviewer groups and the only admin permissions they hold.

Synced after every `migrate` (post_migrate), so new permissions added by later migrations
reach the groups, and test databases flushed between tests get them back.
"""

from django.conf import settings

REVIEWER_PERMISSIONS = [
    ("partners", "view_organization"),
    ("partners", "view_membership"),
    ("partners", "view_resellerqualification"),
    ("partners", "view_partnervalidationrequest"),
    ("partners", "decide_partnervalidationrequest"),
    ("reviews", "view_auditevent"),
]
LEAD_PERMISSIONS = [*REVIEWER_PERMISSIONS, ("notifications", "view_outboxmessage")]


def reviewer_groups_sync(**kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    for name, wanted in (
        (settings.REVIEWER_GROUP_NAME, REVIEWER_PERMISSIONS),
        (settings.REVIEWER_LEAD_GROUP_NAME, LEAD_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in wanted
        ]
        group.permissions.set(permissions)
