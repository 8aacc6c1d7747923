"""What every reviewed request shares: states, the review clock fields, the audit trail."""

import datetime as dt

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from gccportal.fields import optional_timestamp, organization_reference, user_reference
from gccportal.review_clock import review_reminder_at


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    INFO_REQUESTED = "info_requested", _("Information requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (ReviewStatus.SUBMITTED, ReviewStatus.IN_REVIEW, ReviewStatus.INFO_REQUESTED)
# The clock runs only while the request waits on the reviewer.
CLOCK_RUNNING_STATUSES = (ReviewStatus.SUBMITTED, ReviewStatus.IN_REVIEW)
DECIDED_STATUSES = (ReviewStatus.APPROVED, ReviewStatus.REJECTED)
# The fields `sla_action_at` is derived from (ReviewableRequest.save keeps it in step).
SLA_ACTION_INPUTS = frozenset({"status", "due_at", "reminder_sent_at", "escalated_at"})


def review_sla_action_at(
    *,
    status: str,
    due_at: dt.datetime | None,
    reminder_sent_at: dt.datetime | None,
    escalated_at: dt.datetime | None,
) -> dt.datetime | None:
    """When the SLA sweep (reviews.services.review_sla_sweep) next has something to do with a
    request in this state: its reminder's time while no reminder was sent; else its due time
    while it was not escalated; else never (None). Never while the clock is stopped.

    An escalated request is done with: it was escalated because it was overdue, and an
    overdue request gets no reminder; only an answer (a new due time) clears both marks.
    """
    if status not in CLOCK_RUNNING_STATUSES or due_at is None or escalated_at is not None:
        return None
    if reminder_sent_at is None:
        return review_reminder_at(due_at)
    return due_at


# What a move not allowed from a request's current status is refused with (a whole sentence
# per kind of subject, for the translations).
REQUEST_TRANSITION_REFUSED = _(
    "This request is %(status)s; that action is no longer possible. Nothing was changed."
)


class ReviewableRequest(models.Model):
    """Abstract base of partner and customer validation requests.

    The allowed moves are the @transition methods below (django-fsm-2); only services call
    them, after locking the row, and they save and audit the change. The review admin offers
    exactly the moves these declare.

    A kind (a concrete subclass) adds its fields, an `organization` foreign key (the audit
    events are filed under it), the `decide_<model name>` permission and the unique
    (organization, idempotency_key) constraint in its Meta (which extends this Meta: the
    lists' order, the review clock's index), and what the shared emails read
    (reviews/emails.py): `review_key`, the prefix of its emails' dedupe keys
    ("partner_validation"); `review_templates`, the prefix of its email templates
    ("emails/partners/validation": then "emails/partners/validation_submitted", ...);
    `review_url_name`, the URL name of the submitter's page of a request.
    """

    Status = ReviewStatus

    transition_refused_message = REQUEST_TRANSITION_REFUSED
    review_key: str
    review_templates: str
    review_url_name: str

    status = FSMField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED
    )
    submitted_by = user_reference(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    due_at = optional_timestamp(
        _("due at"),
        help_text=_(
            "Empty while the clock is stopped (information requested) or after a decision."
        ),
    )
    assigned_reviewer = user_reference(_("assigned reviewer"), optional=True)
    info_request_message = models.TextField(_("information requested"), blank=True)
    info_requested_at = optional_timestamp(_("information requested at"))
    info_response = models.TextField(_("information provided"), blank=True)
    info_responded_at = optional_timestamp(_("information provided at"))
    decided_at = optional_timestamp(_("decided at"))
    decided_by = user_reference(_("decided by"), optional=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    # The decision's place on the review clock, recorded by the decision
    # (services.review_decide), which clears `due_at`: what the SLA figures aggregate
    # (selectors.review_sla_figures). Empty until decided.
    decision_due_at = optional_timestamp(
        _("due at the decision"),
        editable=False,
        help_text=_("The due time in force when the request was decided."),
    )
    decided_on_time = models.BooleanField(_("decided on time"), null=True, editable=False)
    business_seconds_to_decision = models.PositiveIntegerField(
        _("business time to decision (seconds)"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Time on business days while the clock ran, from submission to decision; time "
            "waiting for information is not counted."
        ),
    )
    conflicts_seen = models.JSONField(
        _("conflicts seen at the decision"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("The conflict rules the request met when it was decided (they block nothing)."),
    )
    # The submit form's one-time key: a re-posted form (a retry after a timeout, a double
    # click) finds the request the first post created. A kind makes it unique per
    # organization (`gccportal.fields.unique_idempotency_key` in its Meta): that constraint
    # settles two posts of one form racing (reviews.services.review_request_create).
    idempotency_key = models.UUIDField(_("idempotency key"), editable=False)
    # The one-time key of the answer form that gave the latest answer: its re-post (a retry
    # after a timeout) is shown the same result, and nothing is recorded or sent twice. Kept
    # when a new question is asked, so that a late re-post of the previous answer is not
    # taken for the answer to the new question.
    info_answer_key = models.UUIDField(_("answer key"), null=True, blank=True, editable=False)
    reminder_sent_at = optional_timestamp(_("reminder sent at"), editable=False)
    escalated_at = optional_timestamp(_("escalated at"), editable=False)
    # Derived from the status, due time and the two marks above on every save (see save()).
    sla_action_at = optional_timestamp(
        _("next review clock action at"),
        editable=False,
        help_text=_(
            "When the review clock next reminds or escalates: empty when nothing is left to do."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-submitted_at"]
        indexes = [
            # Running requests by when they fall due (the admin queue's "overdue" filter).
            models.Index(fields=["status", "due_at"]),
            # The reviewers' queue (reviews/admin.py): the open requests in its order (soonest
            # due first, stopped clocks last, then the admin's -pk), read from the index.
            models.Index(
                F("due_at").asc(),  # PostgreSQL: ascending is NULLS LAST already
                F("submitted_at").asc(),
                F("id").desc(),
                name="%(class)s_q",
                condition=Q(status__in=["submitted", "in_review", "info_requested"]),
            ),
            # An organization's requests list, newest first (its partner page and the API).
            models.Index(
                F("organization"), F("submitted_at").desc(), F("id").desc(), name="%(class)s_org"
            ),
            # The SLA figures: the decisions of the last days (selectors.review_sla_figures).
            models.Index(
                fields=["decided_at"],
                name="%(class)s_dec",
                condition=Q(decided_at__isnull=False),
            ),
            # The SLA sweep: the requests it has something to do with, by when.
            models.Index(
                fields=["sla_action_at"],
                name="%(class)s_sla",
                condition=Q(sla_action_at__isnull=False),
            ),
        ]

    def save(self, *args, **kwargs) -> None:
        """Save, with `sla_action_at` recomputed when what it is derived from is saved (a
        whole-row save, or update_fields naming any of SLA_ACTION_INPUTS). A queryset's
        update() of those fields must set it too."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or not SLA_ACTION_INPUTS.isdisjoint(update_fields):
            self.sla_action_refresh()
            if update_fields is not None and "sla_action_at" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "sla_action_at"]
        super().save(*args, **kwargs)

    def sla_action_refresh(self) -> None:
        """Set `sla_action_at` from what it is derived from (SLA_ACTION_INPUTS)."""
        self.sla_action_at = review_sla_action_at(
            status=self.status,
            due_at=self.due_at,
            reminder_sent_at=self.reminder_sent_at,
            escalated_at=self.escalated_at,
        )

    # -- allowed moves (source → target); services do the rest ---------------------------
    @transition(field=status, source=ReviewStatus.SUBMITTED, target=ReviewStatus.IN_REVIEW)
    def start_review(self) -> None: ...

    @transition(field=status, source=ReviewStatus.IN_REVIEW, target=ReviewStatus.INFO_REQUESTED)
    def request_info(self) -> None: ...

    @transition(field=status, source=ReviewStatus.INFO_REQUESTED, target=ReviewStatus.IN_REVIEW)
    def answer_info(self) -> None: ...

    @transition(field=status, source=ReviewStatus.IN_REVIEW, target=ReviewStatus.APPROVED)
    def approve(self) -> None: ...

    @transition(field=status, source=ReviewStatus.IN_REVIEW, target=ReviewStatus.REJECTED)
    def reject(self) -> None: ...

    @transition(field=status, source=list(OPEN_STATUSES), target=ReviewStatus.WITHDRAWN)
    def withdraw(self) -> None: ...

    # -- reads ------------------------------------------------------------------------------
    @classmethod
    def review_decide_permission(cls) -> str:
        """The permission to review requests of this kind ("partners.decide_...")."""
        return f"{cls._meta.app_label}.decide_{cls._meta.model_name}"

    # The kind's conflict rules: the dotted path of a selector taking `request=` and giving
    # reviews.conflicts.Conflict items (imported when called: the selectors import the model).
    conflict_rules_path = ""

    def review_conflicts(self) -> list:
        """What the reviewer should weigh (the kind's conflict rules), or [] for a kind with
        none."""
        if not self.conflict_rules_path:
            return []
        return import_string(self.conflict_rules_path)(request=self)

    @classmethod
    def review_reassign_permission(cls) -> str:
        """The permission to give a request of this kind to another reviewer (the leads')."""
        return f"{cls._meta.app_label}.reassign_{cls._meta.model_name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in CLOCK_RUNNING_STATUSES
            and self.due_at is not None
            and self.due_at < timezone.now()
        )


class AuditEventQuerySet(models.QuerySet):
    def for_subject(self, subject: models.Model) -> "AuditEventQuerySet":
        return self.filter(
            content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
        )


# Audited actions only the review team sees: not in a partner's timeline (page or API).
REVIEW_TEAM_ACTIONS = {"assigned"}

ACTION_LABELS = {
    "submitted": _("Request submitted"),
    "review_started": _("Review started"),
    "assigned": _("Assigned"),
    "info_requested": _("Information requested"),
    "info_provided": _("Information provided"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "withdrawn": _("Withdrawn"),
    "qualification_granted": _("Qualification granted"),
    "code_issued": _("Validation code issued"),
    "customer_created": _("Customer created"),
    "invitation_drafted": _("Draft created"),
    "invitation_sent": _("Marked as sent"),
    "invitation_revoked": _("Revoked"),
    "invitation_accepted": _("Accepted by the customer"),
    "invitation_expired": _("Expired"),
    "relationship_created": _("Reseller relationship created"),
    "provider_relationship_created": _("Indirect provider's relationship created"),
    "validation_code_used": _("Validation code used"),
    "order_submitted": _("Order submitted"),
    "provisioning_started": _("Provisioning started"),
    "order_completed": _("Order completed"),
    "order_failed": _("Order failed"),
    "order_retried": _("Order retried"),
    "mfa_requirement_changed": _("Two-step verification requirement changed"),
    "webhook_endpoint_registered": _("Webhook endpoint registered"),
    "webhook_endpoint_changed": _("Webhook endpoint changed"),
    "webhook_secret_rotated": _("Webhook signing secret rotated"),
    "webhook_endpoint_disabled": _("Webhook endpoint disabled"),
    "webhook_endpoint_enabled": _("Webhook endpoint enabled"),
    "webhook_endpoint_deleted": _("Webhook endpoint deleted"),
    "webhook_redelivered": _("Webhook event redelivered"),
}


class AuditEvent(models.Model):
    """Append-only audit trail: who did what, when, from which state.

    Rows are never updated or deleted (enforced here and, on PostgreSQL, by a trigger).
    """

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("subject type")
    )
    object_id = models.PositiveBigIntegerField(_("subject ID"))
    subject = GenericForeignKey("content_type", "object_id")
    organization = organization_reference(
        _("organization"), related_name="audit_events", optional=True
    )
    actor = user_reference(_("actor"), optional=True, help_text=_("Empty for the system."))
    action = models.CharField(_("action"), max_length=50)
    from_status = models.CharField(_("from"), max_length=30, blank=True)
    to_status = models.CharField(_("to"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only.")

    @property
    def label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))
