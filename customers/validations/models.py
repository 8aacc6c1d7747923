"""Customer GCC validation requests and their supporting documents."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gccportal.fields import choice_labels, organization_reference, unique_idempotency_key
from reviews.models import ReviewableRequest
from webhooks.events import EventType


class CustomerValidationRequest(ReviewableRequest):
    """A partner asks, on a customer's behalf, for the customer's GCC validation."""

    review_key = "customer_validation"
    conflict_rules_path = "customers.validations.selectors.customer_validation_conflicts"
    review_templates = "emails/customers/validation"
    review_url_name = "customers:validation_detail"

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

    class EligibilityOutcome(models.TextChoices):
        LIKELY_ELIGIBLE = "likely_eligible", _("Likely eligible")
        LIKELY_INELIGIBLE = "likely_ineligible", _("Likely ineligible")

    organization = organization_reference(
        _("submitting partner"), related_name="customer_validations"
    )
    transacting_partner = organization_reference(
        _("transacting partner"),
        related_name="+",
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
    # The customer contact has no account: its emails and its answer page are in the
    # language of the partner user who submitted the request.
    contact_language = models.CharField(
        _("customer contact's language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_(
            "Emails to the customer contact and its answer page are in this language: the "
            "submitting partner user's."
        ),
    )
    commercial_tenant_id = models.UUIDField(_("transacting partner tenant ID"))
    # Single-use link to the customer's answer page: the nonce is in the signed token and is
    # cleared when the answer is given (or a new question replaces it).
    info_link_nonce = models.CharField(
        _("answer link nonce"), max_length=64, blank=True, editable=False
    )
    # The eligibility pre-check the partner answered before this request (eligibility.py),
    # both empty when it went straight to the form (or came through the API).
    eligibility_answers = models.JSONField(
        _("eligibility pre-check answers"), default=dict, blank=True
    )
    eligibility_outcome = models.CharField(
        _("eligibility pre-check outcome"),
        max_length=20,
        choices=EligibilityOutcome.choices,
        blank=True,
        help_text=_("Empty when no eligibility check was made."),
    )

    class Meta(ReviewableRequest.Meta):
        verbose_name = _("customer validation request")
        verbose_name_plural = _("customer validation requests")
        permissions = [
            ("decide_customervalidationrequest", _("Can decide customer validation requests")),
            (
                "reassign_customervalidationrequest",
                _("Can give customer validation requests to another reviewer"),
            ),
        ]
        constraints = [unique_idempotency_key("unique_customer_validation_idempotency_key")]
        indexes = [
            *ReviewableRequest.Meta.indexes,
            # The conflict rules (selectors: the page's list and the queue's count): requests
            # by domain (and status), by contact. Both stored in lower case by the services.
            models.Index(fields=["government_domain", "status"], name="cvr_conflict_domain_idx"),
            models.Index(fields=["contact_email"], name="cvr_conflict_contact_idx"),
        ]

    def __str__(self) -> str:
        return _("GCC customer validation #%(pk)s — %(name)s") % {
            "pk": self.pk,
            "name": self.organization_legal_name,
        }

    def webhook_event_type(self) -> str:
        """The webhook each move sends (reviews.services.transition_audit)."""
        return EventType.CUSTOMER_VALIDATION_STATUS_CHANGED

    def webhook_data(self) -> dict:
        return {
            "validationRequestId": str(self.pk),
            "organizationName": self.organization_legal_name,
            "domain": self.government_domain,
        }

    def get_regulated_data_display(self) -> list[str]:
        return choice_labels(self.RegulatedData, self.regulated_data)


def _document_path(instance: "CustomerValidationDocument", filename: str) -> str:
    # Never the uploaded name: a random name outside any public URL.
    return f"customer-validation/{instance.request_id}/{uuid.uuid4().hex}"


class CustomerValidationDocument(models.Model):
    """A supporting document. Served only to the submitting partner and to reviewers."""

    class Source(models.TextChoices):
        PARTNER = "partner", _("Partner")
        CUSTOMER = "customer", _("Customer contact")

    request = models.ForeignKey(
        CustomerValidationRequest,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("request"),
    )
    file = models.FileField(_("file"), upload_to=_document_path)
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
