"""Placing GCC orders and provisioning them.

The gating (GCC-enabled partner, GCC-validated customer, Admin/Sales role, own customer) is
enforced here, whatever a form posted. Each step of the order pages is one call, and runs
each rule once: for an existing customer `order_review` then `order_place`; for a new GCC
customer `new_customer_order_check` (Next: Subscriptions), `new_customer_order_review`, then
`customer_create_with_order`. Provisioning runs in a Celery task after commit; the order row
itself is the durable record of the work to do (the sweep re-dispatches it).
"""

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from customers import services as customer_services
from customers.models import Customer
from customers.selectors import customer_get_for_org
from gccportal.broker import task_publish
from gccportal.exceptions import ActionNotAllowed
from partners.models import Organization
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD, GOVERNMENT_COMMUNITY_CLOUD_LABEL
from partners.services import gcc_actor_require
from reviews.services import transition_audit, transition_make

from . import emails
from .models import Offer, Order, OrderLine, OrderLineItem, Subscription
from .provisioning import ProvisionedSubscription, ProvisioningError, line_item_provision
from .selectors import (
    OrderPrices,
    OrderStanding,
    new_gcc_customer_standing,
    order_for_idempotency_key,
    order_prices,
    order_standing,
)

logger = logging.getLogger(__name__)


class CustomerNotManaged(ActionNotAllowed):
    """The customer is not one of the organization's (its pages answer "not found")."""


def order_lines_check(*, lines: list[OrderLine], standing: OrderStanding) -> dict[str, Offer]:
    """The offers of `lines` by offer ID, if all may be ordered in those quantities for a
    customer of this `standing`; else an error. A GCC offer its partner may not order is
    refused outright (ActionNotAllowed, `standing.gcc_block`); a commercial offer for a GCC
    tenant (which runs GCC offers only) is refused next to its row."""
    if not lines:
        raise ValidationError({"lines": _("Choose at least one offer and its quantity.")})
    wanted = [line.offer_id for line in lines]
    if len(set(wanted)) != len(wanted):
        raise ValidationError({"lines": _("Each offer may appear only once in an order.")})
    offers = {o.offer_id: o for o in Offer.objects.filter(offer_id__in=wanted, is_active=True)}
    errors: dict[str, list[str]] = {}
    for line in lines:
        offer = offers.get(line.offer_id)
        if offer is None:
            errors.setdefault("lines", []).append(
                _("%(offer)s is not in the catalogue.") % {"offer": line.offer_id}
            )
            continue
        if offer.requires_gcc and standing.gcc_block:
            raise ActionNotAllowed(standing.gcc_block)
        if not standing.offer_fits(offer):
            errors.setdefault(f"quantity_{offer.offer_id}", []).append(
                _(
                    "%(offer)s is a commercial offer: it can't run in %(customer)s's GCC "
                    "tenant. Choose a GCC offer."
                )
                % {"offer": offer.name, "customer": standing.customer_name}
            )
            continue
        if not offer.min_quantity <= line.quantity <= offer.max_quantity:
            errors.setdefault(f"quantity_{offer.offer_id}", []).append(
                _("Order between %(low)s and %(high)s of %(offer)s.")
                % {"low": offer.min_quantity, "high": offer.max_quantity, "offer": offer.name}
            )
    if errors:
        raise ValidationError(errors)
    return offers


# -- an order for an existing customer -------------------------------------------------------


def order_review(
    *, organization: Organization, customer: Customer, lines: list[OrderLine]
) -> OrderPrices:
    """The review of an order for `customer` (one of `organization`'s, as its pages found it):
    the lines' amounts and totals, if they may be ordered; nothing is written."""
    standing = order_standing(organization=organization, customer=customer)
    offers = order_lines_check(lines=lines, standing=standing)
    return order_prices(lines=lines, offers=offers)


@transaction.atomic
def order_place(
    *,
    organization: Organization,
    created_by,
    customer_id: int,
    lines: list[OrderLine],
    idempotency_key: uuid.UUID,
) -> Order:
    """Place an order for one of the partner's customers. The same key → the same order."""
    gcc_actor_require(user=created_by, organization=organization)
    existing = order_for_idempotency_key(organization=organization, key=idempotency_key)
    if existing:
        return existing
    try:
        customer = customer_get_for_org(organization=organization, customer_id=customer_id)
    except Customer.DoesNotExist as exc:
        raise CustomerNotManaged(_("This customer is not managed by your organization.")) from exc
    standing = order_standing(organization=organization, customer=customer)
    offers = order_lines_check(lines=lines, standing=standing)
    return _order_insert(organization, created_by, customer, lines, offers, idempotency_key)


def _order_insert(
    organization: Organization,
    created_by,
    customer: Customer,
    lines: list[OrderLine],
    offers: dict[str, Offer],
    idempotency_key: uuid.UUID,
) -> Order:
    """The order's rows, its audit event and its provisioning after commit. Its callers have
    checked the actor, looked for the key and checked the lines (`offers`, by offer ID)."""
    try:
        with transaction.atomic():
            order = Order.objects.create(
                organization=organization,
                customer=customer,
                idempotency_key=idempotency_key,
                # The reseller's own ID, never its provider's: the reseller keeps the credit.
                partner_id_on_record=organization.partner_id,
                created_by=created_by,
            )
    except IntegrityError:  # the same key submitted twice at once: the other one won
        return Order.objects.select_related("customer").get(
            organization=organization, idempotency_key=idempotency_key
        )
    OrderLineItem.objects.bulk_create(
        OrderLineItem(
            order=order,
            line_item_number=number,
            offer=offers[line.offer_id],
            quantity=line.quantity,
            friendly_name=line.friendly_name.strip()[:100],
            unit_price=offers[line.offer_id].unit_price,
        )
        for number, line in enumerate(lines)
    )
    transition_audit(subject=order, actor=created_by, action="order_submitted", previous="")
    transaction.on_commit(lambda: order_provisioning_dispatch(order_id=order.pk))
    return order


# -- a new GCC customer and its first order ------------------------------------------------


def _new_customer_gcc_require(customer_answers: dict) -> None:
    if customer_answers.get("special_qualification") != GOVERNMENT_COMMUNITY_CLOUD:
        raise ValidationError(
            {
                "special_qualification": _(
                    "Next: Subscriptions is for GCC customers only. Choose %(qualification)s "
                    "and a validation code, or select Add customer."
                )
                % {"qualification": GOVERNMENT_COMMUNITY_CLOUD_LABEL}
            }
        )


def _new_customer_standing(customer_answers: dict) -> OrderStanding:
    return new_gcc_customer_standing(customer_name=customer_answers.get("company_name", ""))


def new_customer_order_check(*, organization: Organization, customer_answers: dict) -> None:
    """Whether Add customer's answers may go on to subscriptions (Next: Subscriptions): a GCC
    customer, with a validation code `organization` may use. Nothing is created: the customer
    is created with its order, on the last step."""
    _new_customer_gcc_require(customer_answers)
    customer_services.customer_qualification_check(
        organization=organization,
        special_qualification=GOVERNMENT_COMMUNITY_CLOUD,
        gcc_validation=customer_answers.get("gcc_validation"),
    )


def new_customer_order_review(
    *, organization: Organization, customer_answers: dict, lines: list[OrderLine]
) -> OrderPrices:
    """The review of a new GCC customer's first order: the lines' amounts and totals, if the
    answers and the lines may go on; nothing is created."""
    new_customer_order_check(organization=organization, customer_answers=customer_answers)
    # The organization's GCC approval was just checked, and the customer will be GCC: GCC
    # offers only.
    offers = order_lines_check(lines=lines, standing=_new_customer_standing(customer_answers))
    return order_prices(lines=lines, offers=offers)


@transaction.atomic
def customer_create_with_order(
    *,
    organization: Organization,
    created_by,
    customer_answers: dict,
    lines: list[OrderLine],
    idempotency_key: uuid.UUID,
) -> Order:
    """Create a GCC customer (consuming one create of its validation code) and its first
    order, in one transaction: if any step fails, nothing is created and the code is not
    consumed. The same key → the same order, and no second customer."""
    gcc_actor_require(user=created_by, organization=organization)
    existing = order_for_idempotency_key(organization=organization, key=idempotency_key)
    if existing:
        return existing
    _new_customer_gcc_require(customer_answers)
    # The lines first: a refused line leaves the code untouched (and no customer). GCC offers
    # only: the customer will be GCC, and customer_insert refuses an organization not
    # approved for GCC (rolling back the whole order).
    offers = order_lines_check(lines=lines, standing=_new_customer_standing(customer_answers))
    # The order's key is the customer's too (whatever key the answers came with): the same
    # Submit posted twice at once gets the customer the other post created (after waiting for
    # it on the domain or on the code's last create), then finds that post's order.
    customer = customer_services.customer_insert(
        organization=organization,
        created_by=created_by,
        **{**customer_answers, "idempotency_key": idempotency_key},
    )
    return _order_insert(organization, created_by, customer, lines, offers, idempotency_key)


def order_provisioning_dispatch(*, order_id: int) -> bool:
    """Queue provisioning, within a second or two. A broker outage is logged, not raised: the
    sweep dispatches the order."""
    from .tasks import order_provision_task

    return task_publish(order_provision_task, order_id)


def order_provision(*, order_id: int, claim_token: str = "") -> Order:
    """Provision a submitted order one line at a time; idempotent and safe to run twice at once.

    Each line is claimed in a short committed transaction (a lease, one more attempt), then
    provisioned with no transaction and no row lock open: in production the call-out is
    network I/O, and a lock held across it would hold every other worker, the sweep and the
    order's pages. Its outcome is recorded in a second short transaction. Two workers
    provision different lines side by side; a line whose worker died is claimed again when its
    lease runs out, or at once by the same `claim_token` (the provisioning task redelivered
    after its worker died); a line claimed ORDERS_LINE_MAX_ATTEMPTS times fails. The order
    completes or fails, once, when every line is settled.
    """
    token = claim_token or uuid.uuid4().hex
    order = _order_provisioning_start(order_id=order_id)
    if order.status != Order.Status.PROVISIONING:
        return order  # completed or failed: nothing to do
    claimed: set[int] = set()  # each line at most once per call: the loop ends
    while (line := _line_claim(order_id=order_id, token=token, exclude=claimed)) is not None:
        claimed.add(line.pk)
        try:
            result = line_item_provision(line)
        except ProvisioningError as exc:
            _line_failed(line_id=line.pk, token=token, error=str(exc))
        else:
            _line_provisioned(line_id=line.pk, result=result)
    return _order_settle(order_id=order_id)


@transaction.atomic
def _order_provisioning_start(*, order_id: int) -> Order:
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status == Order.Status.SUBMITTED:
        transition_make(
            order,
            move="start_provisioning",
            actor=None,
            action="provisioning_started",
            changes={"attempts": order.attempts + 1},
        )
    return order


def _line_claim(*, order_id: int, token: str, exclude: set[int]) -> OrderLineItem | None:
    """Claim the order's next line to provision, in a transaction of its own (committed on
    return, so the claim holds no lock); None when no line is left to claim."""
    Status = OrderLineItem.Status
    now = timezone.now()
    claimable = Q(status=Status.PENDING) | Q(
        Q(status=Status.PROVISIONING) & (Q(claimed_until__lte=now) | Q(claimed_by=token))
    )
    with transaction.atomic():
        # skip_locked: a line another worker is claiming this instant is theirs; take the next.
        lines = (
            OrderLineItem.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("offer", "order__customer")
            .filter(claimable, order_id=order_id, order__status=Order.Status.PROVISIONING)
            .exclude(pk__in=exclude)
            .order_by("line_item_number")
        )
        for line in lines:
            if line.attempts >= settings.ORDERS_LINE_MAX_ATTEMPTS:
                # Claimed that many times and never settled: each attempt ended its worker.
                line.status, line.claimed_until, line.claimed_by = Status.FAILED, None, ""
                line.error = _(
                    "%(offer)s could not be provisioned: gave up after %(attempts)s attempts."
                ) % {"offer": line.offer.name, "attempts": line.attempts}
                line.save(update_fields=["status", "claimed_until", "claimed_by", "error"])
                logger.error(
                    "Order %s line %s failed: claimed %s times without an outcome",
                    order_id,
                    line.line_item_number,
                    line.attempts,
                )
                continue
            line.status, line.claimed_by = Status.PROVISIONING, token
            line.claimed_until = now + dt.timedelta(seconds=settings.ORDERS_LINE_LEASE_SECONDS)
            line.attempts += 1
            line.save(update_fields=["status", "claimed_until", "claimed_by", "attempts"])
            return line
    return None


@transaction.atomic
def _line_provisioned(*, line_id: int, result: ProvisionedSubscription) -> None:
    line = (
        OrderLineItem.objects.select_for_update(of=("self",))
        .select_related("order")
        .get(pk=line_id)
    )
    # Recorded even when this worker's claim ran out meanwhile: the subscription exists at the
    # backend. The line's lock and the one-to-one keep it to one subscription per line.
    Subscription.objects.get_or_create(
        line_item=line,
        defaults={
            "subscription_id": result.subscription_id,
            "customer_id": line.order.customer_id,
            "offer_id": line.offer_id,
            "quantity": line.quantity,
            "friendly_name": line.friendly_name,
        },
    )
    line.status, line.claimed_until, line.claimed_by = OrderLineItem.Status.PROVISIONED, None, ""
    line.error = ""
    line.save(update_fields=["status", "claimed_until", "claimed_by", "error"])


@transaction.atomic
def _line_failed(*, line_id: int, token: str, error: str) -> None:
    line = OrderLineItem.objects.select_for_update().get(pk=line_id)
    if line.status != OrderLineItem.Status.PROVISIONING or line.claimed_by != token:
        return  # this worker's claim ran out and another worker has the line now
    line.status, line.claimed_until, line.claimed_by = OrderLineItem.Status.FAILED, None, ""
    line.error = error
    line.save(update_fields=["status", "claimed_until", "claimed_by", "error"])


def _order_fail(order: Order, *, reason: str) -> None:
    transition_make(
        order,
        move="fail",
        actor=None,
        action="order_failed",
        changes={"failure_reason": reason},
        note=reason,
    )
    emails.order_failed(order)


@transaction.atomic
def _order_settle(*, order_id: int) -> Order:
    """Complete or fail the order once every line is settled."""
    # The order's lock: the last two workers to settle a line of it come here one after the
    # other, and the second finds the order settled: one transition, one email.
    order = (
        Order.objects.select_for_update(of=("self",)).select_related("customer").get(pk=order_id)
    )
    if order.status != Order.Status.PROVISIONING:
        return order
    lines = list(order.line_items.order_by("line_item_number").values_list("status", "error"))
    settled = {OrderLineItem.Status.PROVISIONED, OrderLineItem.Status.FAILED}
    if any(status not in settled for status, _error in lines):
        return order  # a line is still pending or claimed: its worker settles the order
    failures = [error for status, error in lines if status == OrderLineItem.Status.FAILED]
    if failures:
        _order_fail(order, reason="\n".join(failures))
    else:
        transition_make(
            order,
            move="complete",
            actor=None,
            action="order_completed",
            changes={"completed_at": timezone.now()},
        )
        emails.order_completed(order)
    return order


@transaction.atomic
def order_provision_give_up(*, order_id: int, claim_token: str, deliveries: int) -> Order:
    """The provisioning task stopped its worker `deliveries` times: fail the lines it held
    and the order, with the reason (jobs.guard.GuardedTask's `on_give_up`)."""
    _order_provisioning_start(order_id=order_id)  # in case it stopped before it could start
    order = (
        Order.objects.select_for_update(of=("self",)).select_related("customer").get(pk=order_id)
    )
    if order.status != Order.Status.PROVISIONING:
        return order
    held = order.line_items.select_for_update().filter(
        status=OrderLineItem.Status.PROVISIONING, claimed_by=claim_token
    )
    for line in held.select_related("offer"):
        line.status, line.claimed_until, line.claimed_by = OrderLineItem.Status.FAILED, None, ""
        line.error = _(
            "%(offer)s could not be provisioned: gave up after %(count)s interrupted attempts."
        ) % {"offer": line.offer.name, "count": deliveries}
        line.save(update_fields=["status", "claimed_until", "claimed_by", "error"])
    # Lines not tried yet stay pending: a retry of the order provisions them.
    errors = order.line_items.filter(status=OrderLineItem.Status.FAILED).order_by(
        "line_item_number"
    )
    reason = "\n".join(errors.values_list("error", flat=True)) or _(
        "Provisioning was interrupted %(count)s times and was stopped."
    ) % {"count": deliveries}
    _order_fail(order, reason=reason)
    return order


@transaction.atomic
def order_retry(*, order_id: int, organization: Organization, actor) -> Order:
    """After the cause is fixed: provision the failed order again (done lines are kept)."""
    gcc_actor_require(user=actor, organization=organization)
    order = Order.objects.select_for_update().get(pk=order_id, organization=organization)
    transition_make(
        order, move="resubmit", actor=actor, action="order_retried", changes={"failure_reason": ""}
    )
    # Failed lines get a fresh set of attempts; provisioned lines are kept.
    order.line_items.filter(status=OrderLineItem.Status.FAILED).update(
        status=OrderLineItem.Status.PENDING, error="", attempts=0, claimed_until=None, claimed_by=""
    )
    transaction.on_commit(lambda: order_provisioning_dispatch(order_id=order.pk))
    return order


def order_provisioning_sweep(*, now: dt.datetime | None = None) -> int:
    """Re-dispatch orders whose provisioning was never started or was interrupted."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.ORDERS_REDISPATCH_AFTER_SECONDS)
    dispatched = 0
    for order_id in Order.objects.filter(
        status__in=[Order.Status.SUBMITTED, Order.Status.PROVISIONING], created_at__lte=cutoff
    ).values_list("pk", flat=True)[:500]:
        if not order_provisioning_dispatch(order_id=order_id):
            break
        dispatched += 1
    return dispatched
