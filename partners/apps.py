from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from .roles import reviewer_groups_sync

        # Partners comes after the apps whose permissions it grants, and auth creates each
        # app's permissions in its own post_migrate receiver, connected before this one.
        post_migrate.connect(
            reviewer_groups_sync, sender=self, dispatch_uid="partners.reviewer_groups_sync"
        )
