"""The offer catalogue, orders with their line items (and `OrderLine`, a line being entered),
and the subscriptions they provision."""

import uuid
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from gccportal.fields import (
    optional_timestamp,
    organization_reference,
    protected_reference,
    unique_idempotency_key,
    user_reference,
)
from webhooks.events import EventType


class Offer(models.Model):
    """A catalogue offer (Partner Center's offer, with the portal's GCC gating)."""

    class BillingCycle(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        ANNUAL = "annual", _("Annual")

    class Family(models.TextChoices):
        OFFICE_365 = "office365", _("Office 365")
        MICROSOFT_365 = "microsoft365", _("Microsoft 365")
        EMS = "ems", _("Enterprise Mobility + Security")
        POWER_BI = "powerbi", _("Power BI")
        DYNAMICS_365 = "dynamics365", _("Dynamics 365")

    offer_id = models.CharField(_("offer ID"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    family = models.CharField(_("product family"), max_length=20, choices=Family.choices)
    sku_part_number = models.CharField(_("SKU part number"), max_length=64, blank=True)
    unit_price = models.DecimalField(_("unit price (USD)"), max_digits=10, decimal_places=2)
    billing_cycle = models.CharField(
        _("billing cycle"), max_length=10, choices=BillingCycle.choices
    )
    min_quantity = models.PositiveIntegerField(_("minimum quantity"), default=1)
    max_quantity = models.PositiveIntegerField(_("maximum quantity"), default=10000)
    requires_gcc = models.BooleanField(
        _("requires GCC"),
        default=False,
        help_text=_(
            "Only for GCC-validated customers of GCC-enabled partners. Every GCC offer uses "
            "the customer's one GCC validation: no second review."
        ),
    )
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-requires_gcc", "family", "name"]
        constraints = [
            models.CheckConstraint(
                name="offer_quantity_range", condition=Q(min_quantity__lte=models.F("max_quantity"))
            ),
            models.CheckConstraint(
                name="offer_min_quantity_positive", condition=Q(min_quantity__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Order(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        PROVISIONING = "provisioning", _("Provisioning")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")

    # What a move not allowed from the status is refused with (reviews.services).
    transition_refused_message = _(
        "This order is %(status)s; that action is no longer possible. Nothing was changed."
    )

    organization = organization_reference(_("partner"), related_name="orders")
    customer = protected_reference("customers.Customer", _("customer"), related_name="orders")
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    # The form's one-time key: a double click or a replayed POST finds the same order.
    idempotency_key = models.UUIDField(_("idempotency key"))
    partner_id_on_record = models.CharField(_("partner ID on record"), max_length=20)
    created_by = user_reference(_("submitted by"))
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    completed_at = optional_timestamp(_("completed at"))
    failure_reason = models.TextField(_("failure reason"), blank=True)
    attempts = models.PositiveIntegerField(_("provisioning attempts"), default=0)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        constraints = [unique_idempotency_key("unique_order_idempotency_key")]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return _("Order #%(pk)s") % {"pk": self.pk}

    def webhook_event_type(self) -> str:
        """The webhook each move sends (reviews.services.transition_audit)."""
        return EventType.ORDER_STATUS_CHANGED

    def webhook_data(self) -> dict:
        customer_id = str(self.customer.tenant_id)
        return {
            "orderId": str(self.pk),
            "customerId": customer_id,
            "links": {"self": {"uri": f"/v1/customers/{customer_id}/orders/{self.pk}"}},
        }

    @transition(field=status, source=Status.SUBMITTED, target=Status.PROVISIONING)
    def start_provisioning(self) -> None: ...

    @transition(field=status, source=Status.PROVISIONING, target=Status.COMPLETED)
    def complete(self) -> None: ...

    @transition(field=status, source=Status.PROVISIONING, target=Status.FAILED)
    def fail(self) -> None: ...

    @transition(field=status, source=Status.FAILED, target=Status.SUBMITTED)
    def resubmit(self) -> None: ...


class OrderLineItem(models.Model):
    """Partner Center's line item: lineItemNumber, offerId, quantity, friendlyName,
    partnerIdOnRecord.

    Provisioned one at a time (orders/services.py `order_provision`): a worker claims the line
    for a lease (`claimed_until`, `claimed_by`, one more of `attempts`), calls out with no
    lock held, then records the outcome.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROVISIONING = "provisioning", _("Provisioning")
        PROVISIONED = "provisioned", _("Provisioned")
        FAILED = "failed", _("Failed")

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="line_items", verbose_name=_("order")
    )
    line_item_number = models.PositiveIntegerField(_("line"))
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="+", verbose_name=_("offer")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    friendly_name = models.CharField(_("friendly name"), max_length=100, blank=True)
    unit_price = models.DecimalField(_("unit price (USD)"), max_digits=10, decimal_places=2)
    status = models.CharField(
        _("provisioning status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("provisioning attempts"), default=0)
    claimed_until = optional_timestamp(_("claimed until"))
    # Who holds the claim: the provisioning task's ID (its redelivery may reclaim at once).
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    error = models.TextField(_("provisioning error"), blank=True)

    class Meta:
        verbose_name = _("line item")
        verbose_name_plural = _("line items")
        ordering = ["order", "line_item_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "line_item_number"], name="unique_order_line_number"
            ),
            models.CheckConstraint(name="line_quantity_positive", condition=Q(quantity__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_item_number}: {self.offer} x {self.quantity}"

    @property
    def total(self):
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class OrderLine:
    """A line as the partner enters it (a row of the order form), before the order exists."""

    offer_id: str
    quantity: int
    friendly_name: str = ""


class Subscription(models.Model):
    """What provisioning one line item produced. One per line: provisioning is idempotent."""

    subscription_id = models.UUIDField(_("subscription ID"), default=uuid.uuid4, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("customer"),
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="+", verbose_name=_("offer")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    friendly_name = models.CharField(_("friendly name"), max_length=100, blank=True)
    line_item = models.OneToOneField(
        OrderLineItem,
        on_delete=models.PROTECT,
        related_name="subscription",
        verbose_name=_("line item"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.offer} x {self.quantity}"
