from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")
    # Reviewers manage the offer catalogue and see the orders (reviews/roles.py).
    reviewer_permissions = (
        "view_offer",
        "add_offer",
        "change_offer",
        "view_order",
        "view_subscription",
    )
