from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")
    # Every reviewer reads the audit trail (roles.py).
    reviewer_permissions = ("view_auditevent",)

    def ready(self) -> None:
        from .roles import reviewer_groups_sync

        # After the last app's post_migrate (roles.py): auth creates each app's permissions in
        # a receiver connected before this one, so that run grants them all.
        post_migrate.connect(reviewer_groups_sync, dispatch_uid="reviews.reviewer_groups_sync")
