from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gccportal.fields import (
    choice_labels,
    organization_reference,
    protected_reference,
    unique_idempotency_key,
)
from reviews.models import OPEN_STATUSES, ReviewableRequest
from webhooks.events import EventType

from . import qualifications


class Organization(models.Model):
    """A CSP partner organization (a tenant of the portal)."""

    class PartnerType(models.TextChoices):
        DIRECT_RESELLER = "direct_reseller", _("Direct reseller")
        INDIRECT_PROVIDER = "indirect_provider", _("Indirect provider")
        INDIRECT_RESELLER = "indirect_reseller", _("Indirect reseller")

    class CspEnrollment(models.TextChoices):
        NOT_ENROLLED = "not_enrolled", _("Not enrolled")
        PENDING = "pending", _("Enrollment pending")
        ENROLLED = "enrolled", _("Enrolled")

    legal_name = models.CharField(_("legal name"), max_length=200)
    partner_type = models.CharField(_("partner type"), max_length=30, choices=PartnerType.choices)
    partner_id = models.CharField(
        _("partner ID"),
        max_length=20,
        unique=True,
        help_text=_("The Partner ID (formerly MPN ID) of the organization."),
    )
    commercial_tenant_id = models.UUIDField(
        _("Microsoft ID (commercial tenant ID)"),
        unique=True,
        help_text=_("The organization's commercial/global Microsoft Entra tenant ID."),
    )
    azure_gcc_tenant_id = models.UUIDField(
        _("Azure GCC tenant ID"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("Only if the organization also owns an Azure Government tenant."),
    )
    csp_enrollment = models.CharField(
        _("CSP enrollment"),
        max_length=20,
        choices=CspEnrollment.choices,
        default=CspEnrollment.NOT_ENROLLED,
    )
    indirect_provider = protected_reference(
        "self",
        _("indirect provider"),
        related_name="indirect_resellers",
        optional=True,
        limit_choices_to={"partner_type": PartnerType.INDIRECT_PROVIDER},
    )
    mfa_required = models.BooleanField(
        _("two-step verification required"),
        default=False,
        help_text=_(
            "Every member must sign in with a code from an authenticator app. Set by the "
            "organization's Admin agent."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                name="indirect_reseller_has_provider",
                condition=(
                    Q(partner_type="indirect_reseller", indirect_provider__isnull=False)
                    | (~Q(partner_type="indirect_reseller") & Q(indirect_provider__isnull=True))
                ),
                violation_error_message=_(
                    "An indirect reseller needs an indirect provider; other types have none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name


class ResellerQualification(models.Model):
    """A qualification Microsoft granted the partner. Irreversible: never edited or removed."""

    class Qualification(models.TextChoices):
        GOVERNMENT_COMMUNITY_CLOUD = (
            qualifications.GOVERNMENT_COMMUNITY_CLOUD,
            qualifications.GOVERNMENT_COMMUNITY_CLOUD_LABEL,
        )

    organization = organization_reference(_("organization"), related_name="reseller_qualifications")
    qualification = models.CharField(
        _("qualification"), max_length=50, choices=Qualification.choices
    )
    granted_at = models.DateTimeField(_("granted at"))
    source_request = protected_reference(
        "partners.PartnerValidationRequest",
        _("source request"),
        related_name="+",
        optional=True,
    )

    class Meta:
        verbose_name = _("reseller qualification")
        verbose_name_plural = _("reseller qualifications")
        ordering = ["granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "qualification"], name="unique_reseller_qualification"
            )
        ]

    def __str__(self) -> str:
        return self.qualification


class Membership(models.Model):
    """A user's role in one partner organization."""

    class Role(models.TextChoices):
        ADMIN_AGENT = "admin_agent", _("Admin agent")
        SALES_AGENT = "sales_agent", _("Sales agent")
        HELPDESK_AGENT = "helpdesk_agent", _("Helpdesk agent")
        BILLING_ADMIN = "billing_admin", _("Billing admin")

    GCC_ROLES = (Role.ADMIN_AGENT, Role.SALES_AGENT)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    organization = organization_reference(_("organization"), related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization", "user"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organization})"

    @property
    def can_take_gcc_actions(self) -> bool:
        return self.role in self.GCC_ROLES


class PartnerValidationRequest(ReviewableRequest):
    """A partner organization's request to be approved for Office 365 GCC."""

    review_key = "partner_validation"
    conflict_rules_path = "partners.selectors.partner_validation_conflicts"
    review_templates = "emails/partners/validation"
    review_url_name = "partners:validation_detail"

    class GovernmentSegment(models.TextChoices):
        FEDERAL = "federal", _("US federal agencies")
        STATE = "state", _("US state governments")
        LOCAL = "local", _("US local governments (county, city, school district)")
        TRIBAL = "tribal", _("US tribal governments")
        TERRITORIAL = "territorial", _("US territories")
        CONTRACTOR = "contractor", _("Private organizations handling regulated government data")

    organization = organization_reference(_("organization"), related_name="validation_requests")
    commercial_tenant_id = models.UUIDField(_("commercial tenant ID"))
    contact_name = models.CharField(_("contact name"), max_length=100)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    government_segments = models.JSONField(_("government customers served"), default=list)
    contract_vehicles = models.TextField(_("contract vehicles"))
    attested = models.BooleanField(_("accuracy attested"), default=False)

    class Meta(ReviewableRequest.Meta):
        verbose_name = _("partner validation request")
        verbose_name_plural = _("partner validation requests")
        permissions = [
            ("decide_partnervalidationrequest", _("Can decide partner validation requests")),
            (
                "reassign_partnervalidationrequest",
                _("Can give partner validation requests to another reviewer"),
            ),
        ]
        constraints = [
            # Database-level guard against two concurrent submissions for one org.
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="one_open_partner_validation_per_org",
            ),
            unique_idempotency_key("unique_partner_validation_idempotency_key"),
        ]
        indexes = [
            *ReviewableRequest.Meta.indexes,
            # The conflict rules (selectors): requests by the tenant ID they give.
            models.Index(fields=["commercial_tenant_id"], name="pvr_conflict_tenant_idx"),
        ]

    def __str__(self) -> str:
        return _("GCC partner validation #%(pk)s — %(org)s") % {
            "pk": self.pk,
            "org": self.organization.legal_name,
        }

    def webhook_event_type(self) -> str:
        """The webhook each move sends (reviews.services.transition_audit)."""
        return EventType.PARTNER_VALIDATION_STATUS_CHANGED

    def webhook_data(self) -> dict:
        return {"validationRequestId": str(self.pk), "tenantId": str(self.commercial_tenant_id)}

    def get_government_segments_display(self) -> list[str]:
        return choice_labels(self.GovernmentSegment, self.government_segments)
