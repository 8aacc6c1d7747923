from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from reviews.roles import reviewer_permissions_grant

        # Reviewers manage the offer catalogue and see the orders.
        reviewer_permissions_grant(
            "orders", "view_offer", "add_offer", "change_offer", "view_order", "view_subscription"
        )
