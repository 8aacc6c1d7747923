"""The reviewer groups and the only admin permissions they hold.

Synced after every app's migrations (post_migrate), so new permissions added by later migrations
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
    ("customers", "view_customer"),
    ("customers", "view_customerqualification"),
    ("customers", "view_customervalidationrequest"),
    ("customers", "decide_customervalidationrequest"),
    ("customers", "view_gccvalidation"),
    ("orders", "view_offer"),
    ("orders", "add_offer"),
    ("orders", "change_offer"),
    ("orders", "view_order"),
    ("orders", "view_subscription"),
]
LEAD_PERMISSIONS = [
    *REVIEWER_PERMISSIONS,
    ("notifications", "view_outboxmessage"),
    ("notifications", "resend_outboxmessage"),
    ("jobs", "view_taskdelivery"),
]


def reviewer_groups_sync(**kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    for name, wanted in (
        (settings.REVIEWER_GROUP_NAME, REVIEWER_PERMISSIONS),
        (settings.REVIEWER_LEAD_GROUP_NAME, LEAD_PERMISSIONS),
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
