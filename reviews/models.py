"""What every reviewed request shares: states, the review clock fields, the audit trail."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


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


class ReviewableRequest(models.Model):
    """Abstract base of partner and customer validation requests.

    The allowed moves are the @transition methods below (django-fsm-2); only services call
    them, after locking the row, and they save and audit the change. The review admin offers
    exactly the moves these declare.

    A kind (a concrete subclass) adds its fields, an `organization` foreign key (the audit
    events are filed under it), the `decide_<model name>` permission in its Meta, and what
    the shared emails read (reviews/emails.py): `review_key`, the prefix of its emails'
    dedupe keys ("partner_validation"); `review_templates`, the prefix of its email templates
    ("emails/partners/validation": then "emails/partners/validation_submitted", ...);
    `review_url_name`, the URL name of the submitter's page of a request.
    """

    Status = ReviewStatus

    # What a move not allowed from the current status is refused with (a whole sentence per
    # model, for the translations).
    transition_refused_message = _(
        "This request is %(status)s; that action is no longer possible. Nothing was changed."
    )
    review_key: str
    review_templates: str
    review_url_name: str

    status = FSMField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    due_at = models.DateTimeField(
        _("due at"),
        null=True,
        blank=True,
        help_text=_(
            "Empty while the clock is stopped (information requested) or after a decision."
        ),
    )
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned reviewer"),
    )
    info_request_message = models.TextField(_("information requested"), blank=True)
    info_requested_at = models.DateTimeField(_("information requested at"), null=True, blank=True)
    info_response = models.TextField(_("information provided"), blank=True)
    info_responded_at = models.DateTimeField(_("information provided at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

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


ACTION_LABELS = {
    "submitted": _("Request submitted"),
    "review_started": _("Review started"),
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
    "order_submitted": _("Order submitted"),
    "provisioning_started": _("Provisioning started"),
    "order_completed": _("Order completed"),
    "order_failed": _("Order failed"),
    "order_retried": _("Order retried"),
}


class AuditEvent(models.Model):
    """Append-only audit trail: who did what, when, from which state.

    Rows are never updated or deleted (enforced here and, on PostgreSQL, by a trigger).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    organization = models.ForeignKey(
        "partners.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("organization"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        help_text=_("Empty for the system."),
    )
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
