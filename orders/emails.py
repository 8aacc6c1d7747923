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


def _to_orderer(order: Order, *, name: str, event: str) -> None:
    """Queue the email `emails/orders/order_<name>` to who placed `order`; `event` makes the
    dedupe key, so that a repeated call queues nothing."""
    email_enqueue(
        template=f"emails/orders/order_{name}",
        recipients=[order.created_by],
        context=_context(order),
        dedupe_key=f"order:{order.pk}:{event}",
    )


def order_completed(order: Order) -> None:
    _to_orderer(order, name="completed", event="completed")


def order_failed(order: Order) -> None:
    # One per attempt: a retried order that fails again says so again.
    _to_orderer(order, name="failed", event=f"failed:{order.attempts}")
