from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    # Reviewer leads see the outbox and send failed emails again (reviews/roles.py).
    reviewer_lead_permissions = ("view_outboxmessage", "resend_outboxmessage")
