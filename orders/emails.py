"""The emails of orders. Each function queues outbox rows; callers are services."""

from django.urls import reverse

from notifications.services import email_enqueue

from .models import Order


def _context(order: Order) -> dict:
    return {
        "order": order,
        "lines": list(order.line_items.select_related("offer", "subscription")),
        "customer": order.customer,
        "account_path": reverse("customers:customer_account", args=[order.customer_id]),
    }


def order_completed(order: Order) -> None:
    email_enqueue(
        template="emails/orders/order_completed",
        recipients=[order.created_by],
        context=_context(order),
        dedupe_key=f"order:{order.pk}:completed",
    )


def order_failed(order: Order) -> None:
    email_enqueue(
        template="emails/orders/order_failed",
        recipients=[order.created_by],
        context=_context(order),
        dedupe_key=f"order:{order.pk}:failed:{order.attempts}",
    )
