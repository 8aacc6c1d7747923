from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Background tasks")
    # Reviewer leads see the tasks that gave up (reviews/roles.py).
    reviewer_lead_permissions = ("view_taskdelivery",)

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the system checks)
