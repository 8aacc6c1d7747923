from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")
    # Reviewers see who a request comes from (partner validation's own permissions come from
    # its model: reviews/roles.py).
    reviewer_permissions = ("view_organization", "view_membership", "view_resellerqualification")
    # Who is told when one of the organization's webhook endpoints is disabled (webhooks/).
    webhook_alert_recipients = "partners.selectors.admin_agent_users"
