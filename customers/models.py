"""Customers, their GCC validation requests and the validation codes Microsoft issues."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from reviews.models import OPEN_STATUSES, ReviewableRequest


class Customer(models.Model):
    """A customer tenant. One per primary domain in the whole portal.

    Address and contact are required by the Add customer form; a customer that joined
    through a reseller-relationship invitation may have only its name and domain.
    """

    tenant_id = models.UUIDField(_("customer tenant ID"), default=uuid.uuid4, unique=True)
    company_name = models.CharField(_("company name"), max_length=200)
    primary_domain = models.CharField(
        _("primary domain"),
        max_length=253,
        unique=True,
        help_text=_("Stored in lower case; unique in the portal."),
    )
    address_line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    country = models.CharField(_("country"), max_length=2, default="US")
    contact_first_name = models.CharField(_("contact first name"), max_length=50, blank=True)
    contact_last_name = models.CharField(_("contact last name"), max_length=50, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["company_name"]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.primary_domain})"


class CustomerRelationship(models.Model):
    """A partner organization manages (resells to) a customer."""

    organization = models.ForeignKey(
        "partners.Organization", on_delete=models.PROTECT, related_name="customer_relationships"
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="relationships")
    created_at = models.DateTimeField(_("since"), auto_now_add=True)
    # The one-time key of the form that created the customer with this relationship (Add
    # customer, or the Submit of a new customer's first order), unique per organization: a
    # re-posted form finds the customer its first post created. Here, not on the customer: a
    # customer is shared by its partners, the form and its key are one partner's. Empty for
    # a relationship that came from an accepted invitation.
    idempotency_key = models.UUIDField(_("idempotency key"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("reseller relationship")
        verbose_name_plural = _("reseller relationships")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "customer"], name="unique_customer_relationship"
            ),
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                name="unique_customer_relationship_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.customer}"


class CustomerQualification(models.Model):
    """A special qualification of a customer. Irreversible: never edited or removed."""

    class Qualification(models.TextChoices):
        EDUCATION = "Education", _("Education")
        NONPROFIT = "Nonprofit", _("Nonprofit")
        GOVERNMENT_COMMUNITY_CLOUD = "GovernmentCommunityCloud", _("Government community cloud")

    class VettingStatus(models.TextChoices):
        IN_REVIEW = "InReview", _("In review")
        APPROVED = "Approved", _("Approved")

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="qualifications")
    qualification = models.CharField(
        _("qualification"), max_length=40, choices=Qualification.choices
    )
    vetting_status = models.CharField(
        _("vetting status"), max_length=20, choices=VettingStatus.choices
    )
    validation = models.ForeignKey(
        "customers.GccValidation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="qualified_customers",
        verbose_name=_("validation code used"),
    )
    granted_at = models.DateTimeField(_("granted at"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("customer qualification")
        verbose_name_plural = _("customer qualifications")
        ordering = ["granted_at"]
        constraints = [
            # One special qualification per customer: they are exclusive and irreversible.
            models.UniqueConstraint(fields=["customer"], name="one_qualification_per_customer"),
            models.CheckConstraint(
                name="gcc_qualification_has_code",
                condition=~Q(qualification="GovernmentCommunityCloud")
                | Q(validation__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.qualification


class CustomerValidationRequest(ReviewableRequest):
    """A partner asks, on a customer's behalf, for the customer's GCC validation."""

    class OrganizationType(models.TextChoices):
        FEDERAL = "federal", _("US federal government entity")
        STATE = "state", _("US state government entity")
        LOCAL = "local", _("US local government entity (county, city, school district)")
        TRIBAL = "tribal", _("US tribal government entity")
        TERRITORIAL = "territorial", _("US territorial government entity")
        PRIVATE_REGULATED = (
            "private_regulated",
            _("Private organization that handles regulated government data"),
        )

    class RegulatedData(models.TextChoices):
        ITAR = "itar", _("ITAR (International Traffic in Arms Regulations)")
        CUI = "cui", _("CUI (Controlled Unclassified Information)")
        CJI = "cji", _("CJI (Criminal Justice Information)")
        DOD_IL = "dod_il", _("DoD Impact Level data")
        DOD_UCNI = "dod_ucni", _("DoD UCNI")
        DOE_UCNI = "doe_ucni", _("DoE UCNI")
        OTHER = "other", _("Other data that requires Azure Government")

    organization = models.ForeignKey(
        "partners.Organization",
        on_delete=models.PROTECT,
        related_name="customer_validations",
        verbose_name=_("submitting partner"),
    )
    transacting_partner = models.ForeignKey(
        "partners.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("transacting partner"),
        help_text=_(
            "The partner the code is issued to: the indirect provider of an indirect reseller."
        ),
    )
    organization_legal_name = models.CharField(_("customer legal name"), max_length=200)
    organization_type = models.CharField(
        _("organization type"), max_length=30, choices=OrganizationType.choices
    )
    regulated_data = models.JSONField(_("regulated data handled"), default=list, blank=True)
    government_domain = models.CharField(_("government domain"), max_length=253)
    contact_name = models.CharField(_("customer contact name"), max_length=100)
    contact_email = models.EmailField(_("customer contact email"))
    contact_phone = models.CharField(_("customer contact phone"), max_length=30)
    commercial_tenant_id = models.UUIDField(_("transacting partner tenant ID"))
    # The form's one-time key, unique per organization: a re-posted form (a retry after a
    # timeout, a double click) finds the request the first post created.
    idempotency_key = models.UUIDField(_("idempotency key"), editable=False)
    # Single-use link to the customer's answer page: the nonce is in the signed token and is
    # cleared when the answer is given (or a new question replaces it).
    info_link_nonce = models.CharField(max_length=64, blank=True, editable=False)
    # The one-time key of the answer form that gave the latest answer: its re-post (a retry
    # after a timeout) is shown the same thank-you, and nothing is recorded or sent twice.
    # Kept when a new question is asked, so that a late re-post of the previous answer is
    # not taken for the answer to the new question.
    info_answer_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("customer validation request")
        verbose_name_plural = _("customer validation requests")
        ordering = ["-submitted_at"]
        permissions = [
            ("decide_customervalidationrequest", _("Can decide customer validation requests"))
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                name="unique_customer_validation_idempotency_key",
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return _("GCC customer validation #%(pk)s — %(name)s") % {
            "pk": self.pk,
            "name": self.organization_legal_name,
        }

    def get_regulated_data_display(self) -> list[str]:
        labels = dict(self.RegulatedData.choices)
        return [str(labels.get(value, value)) for value in self.regulated_data]

    @property
    def is_open_request(self) -> bool:
        return self.status in OPEN_STATUSES


def _document_path(instance: "CustomerValidationDocument", filename: str) -> str:
    # Never the uploaded name: a random name outside any public URL.
    return f"customer-validation/{instance.request_id}/{uuid.uuid4().hex}"


class CustomerValidationDocument(models.Model):
    """A supporting document. Served only to the submitting partner and to reviewers."""

    class Source(models.TextChoices):
        PARTNER = "partner", _("Partner")
        CUSTOMER = "customer", _("Customer contact")

    request = models.ForeignKey(
        CustomerValidationRequest, on_delete=models.PROTECT, related_name="documents"
    )
    file = models.FileField(upload_to=_document_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    source = models.CharField(_("from"), max_length=10, choices=Source.choices)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class GccValidation(models.Model):
    """A GCC validation code (Partner Center's GccValidation), issued to the transacting partner."""

    validation_id = models.UUIDField(_("validation ID"), default=uuid.uuid4, unique=True)
    partner = models.ForeignKey(
        "partners.Organization",
        on_delete=models.PROTECT,
        related_name="gcc_validations",
        verbose_name=_("transacting partner"),
    )
    organization_name = models.CharField(_("organization name"), max_length=200)
    max_creates = models.PositiveIntegerField(_("max creates"))
    remaining_creates = models.PositiveIntegerField(_("remaining creates"))
    source_request = models.OneToOneField(
        CustomerValidationRequest, on_delete=models.PROTECT, related_name="validation_code"
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("GCC validation code")
        verbose_name_plural = _("GCC validation codes")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="remaining_creates_within_max",
                condition=Q(remaining_creates__lte=F("max_creates")),
            ),
            models.CheckConstraint(name="max_creates_positive", condition=Q(max_creates__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.organization_name} ({self.remaining_creates}/{self.max_creates})"

    @property
    def partner_id_value(self):
        """Partner Center's `partnerId`: the transacting partner's tenant ID."""
        return self.partner.commercial_tenant_id


class ResellerInvitation(models.Model):
    """A partner's request for a reseller relationship with an existing customer.

    The partner sends the draft email itself (mail app or clipboard); the customer accepts
    through the personalized link, which is unguessable, single use and expires.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    organization = models.ForeignKey(
        "partners.Organization",
        on_delete=models.PROTECT,
        related_name="reseller_invitations",
        verbose_name=_("partner"),
    )
    on_behalf_of = models.ForeignKey(
        "partners.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of (indirect provider)"),
    )
    status = FSMField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    nonce = models.CharField(max_length=64, unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    language = models.CharField(_("language"), max_length=8)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by_name = models.CharField(_("accepted by"), max_length=100, blank=True)
    accepted_by_email = models.EmailField(_("accepted by (email)"), blank=True)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("customer"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("reseller relationship request")
        verbose_name_plural = _("reseller relationship requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return _("Reseller relationship request #%(pk)s") % {"pk": self.pk}

    @property
    def shown_status(self) -> str:
        """The status to show: a sent invitation past its expiry is expired, swept or not."""
        if (
            self.status == self.Status.SENT
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        ):
            return self.Status.EXPIRED
        return self.status

    def get_shown_status_display(self) -> str:
        return self.Status(self.shown_status).label

    @property
    def is_revocable(self) -> bool:
        """Offered while the link may still be used (the service also takes a stale sent one)."""
        return self.shown_status in (self.Status.DRAFT, self.Status.SENT)

    @transition(field=status, source=Status.DRAFT, target=Status.SENT)
    def send(self) -> None: ...

    @transition(field=status, source=Status.SENT, target=Status.ACCEPTED)
    def accept(self) -> None: ...

    @transition(field=status, source=Status.SENT, target=Status.EXPIRED)
    def expire(self) -> None: ...

    @transition(field=status, source=[Status.DRAFT, Status.SENT], target=Status.REVOKED)
    def revoke(self) -> None: ...
