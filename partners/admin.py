from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from gccportal.admin import ReadOnlyAdminMixin
from reviews.admin import INFO_REQUEST_FIELDSET, QUEUE_COLUMNS, ReviewAdminMixin, review_decisions

from . import services
from .models import Membership, Organization, PartnerValidationRequest, ResellerQualification
from .selectors import partner_validation_conflict_count


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class ResellerQualificationInline(admin.TabularInline):
    model = ResellerQualification
    extra = 0
    readonly_fields = ["qualification", "granted_at", "source_request"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # granted only by approving a validation request


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = [
        "legal_name",
        "partner_type",
        "partner_id",
        "csp_enrollment",
        "indirect_provider",
    ]
    list_filter = ["partner_type", "csp_enrollment"]
    search_fields = ["legal_name", "partner_id", "commercial_tenant_id"]
    list_select_related = ["indirect_provider"]
    autocomplete_fields = ["indirect_provider"]
    # The organization's own choice, made by its Admin agent on the portal (audited there).
    readonly_fields = ["mfa_required"]
    ordering = ["legal_name"]
    inlines = [MembershipInline, ResellerQualificationInline]


@admin.register(PartnerValidationRequest)
class PartnerValidationRequestAdmin(ReviewAdminMixin, admin.ModelAdmin):
    conflict_count = staticmethod(partner_validation_conflict_count)
    # The shared decisions (reviews/admin.py), with partner validation's services and words.
    decisions = review_decisions(
        PartnerValidationRequest,
        {
            "approve": {
                "service": services.partner_validation_approve,
                "done": _(
                    "Approved. The partner now holds the Government Community Cloud (GCC) "
                    "qualification."
                ),
            },
            "request-info": {
                "service": services.partner_validation_request_info,
                "text_label": _("What the partner must send"),
                "help_text": _("Say what information the partner must send."),
                "done": _(
                    "Information requested. The review clock is stopped until the partner answers."
                ),
            },
        },
    )

    list_display = ["id", "organization", *QUEUE_COLUMNS]
    list_display_links = ["id", "organization"]
    search_fields = ["organization__legal_name", "organization__partner_id", "contact_email"]
    fieldsets = [
        (
            _("Request"),
            {
                "fields": [
                    "organization",
                    "status",
                    "submitted_by",
                    "submitted_at",
                    "due_at",
                    "assigned_reviewer",
                ]
            },
        ),
        (
            _("Answers"),
            {
                "fields": [
                    "commercial_tenant_id",
                    "contact_name",
                    "contact_email",
                    "contact_phone",
                    "government_segments_display",
                    "contract_vehicles",
                    "attested",
                ]
            },
        ),
        INFO_REQUEST_FIELDSET,
        (
            _("Decision"),
            {"fields": ["decided_by", "decided_at", "decision_note", "conflicts_seen"]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "government_segments_display"]

    @admin.display(description=_("government customers served"))
    def government_segments_display(self, obj) -> str:
        # The labels the partner chose, not the stored codes (["federal", ...]).
        return ", ".join(obj.get_government_segments_display())


@admin.register(ResellerQualification)
class ResellerQualificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Granted only by approving a validation request; irreversible."""

    list_display = ["organization", "qualification", "granted_at"]
    list_select_related = ["organization"]
    search_fields = ["organization__legal_name"]
    readonly_fields = ["organization", "qualification", "granted_at", "source_request"]
