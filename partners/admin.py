from django.contrib import admin
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from reviews.admin import OverdueFilter, QueueFilter, ReviewAdminMixin
from reviews.models import ReviewStatus

from . import services
from .models import Membership, Organization, PartnerValidationRequest, ResellerQualification


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
    ordering = ["legal_name"]
    inlines = [MembershipInline, ResellerQualificationInline]


def _approve(*, request_id, reviewer, text):
    return services.partner_validation_approve(request_id=request_id, reviewer=reviewer, note=text)


def _reject(*, request_id, reviewer, text):
    return services.partner_validation_reject(request_id=request_id, reviewer=reviewer, reason=text)


def _request_info(*, request_id, reviewer, text):
    return services.partner_validation_request_info(
        request_id=request_id, reviewer=reviewer, message=text
    )


def _start_review(*, request_id, reviewer, text):
    return services.partner_validation_start_review(
        request_id=request_id, reviewer=reviewer, note=text
    )


@admin.register(PartnerValidationRequest)
class PartnerValidationRequestAdmin(ReviewAdminMixin, admin.ModelAdmin):
    decide_permission = services.DECIDE_PERMISSION
    decisions = {
        "start-review": {
            "label": _("Start review"),
            "from": [ReviewStatus.SUBMITTED],
            "service": _start_review,
            "text_label": _("Note (optional)"),
            "text_required": False,
            "direct": True,  # one click on the change page, no confirmation page
            "done": _("Review started; the request is assigned to you."),
        },
        "approve": {
            "label": _("Approve"),
            "from": [ReviewStatus.IN_REVIEW],
            "service": _approve,
            "text_label": _("Note to the partner (optional)"),
            "text_required": False,
            "done": _(
                "Approved. The partner now holds the Government_community_cloud qualification."
            ),
        },
        "reject": {
            "label": _("Reject"),
            "from": [ReviewStatus.IN_REVIEW],
            "service": _reject,
            "text_label": _("Reason"),
            "text_required": True,
            "help_text": _("Give the reason for the rejection; the partner sees it."),
            "done": _("Rejected. The partner was told the reason."),
        },
        "request-info": {
            "label": _("Request information"),
            "from": [ReviewStatus.IN_REVIEW],
            "service": _request_info,
            "text_label": _("What the partner must send"),
            "text_required": True,
            "help_text": _("Say what information the partner must send."),
            "done": _(
                "Information requested. The review clock is stopped until the partner answers."
            ),
        },
    }

    list_display = [
        "id",
        "organization",
        "status",
        "due_at",
        "overdue",
        "submitted_at",
        "assigned_reviewer",
    ]
    list_display_links = ["id", "organization"]
    list_filter = [QueueFilter, OverdueFilter]
    search_fields = ["organization__legal_name", "organization__partner_id", "contact_email"]
    list_select_related = ["organization", "assigned_reviewer"]
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
        (
            _("Information request"),
            {
                "fields": [
                    "info_request_message",
                    "info_requested_at",
                    "info_response",
                    "info_responded_at",
                ]
            },
        ),
        (_("Decision"), {"fields": ["decided_by", "decided_at", "decision_note"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "government_segments_display"]

    @admin.display(description=_("government customers served"))
    def government_segments_display(self, obj) -> str:
        # The labels the partner chose, not the stored codes (["federal", ...]).
        return ", ".join(obj.get_government_segments_display())

    def get_ordering(self, request):
        # Soonest due first; requests whose clock is stopped go last.
        return [F("due_at").asc(nulls_last=True), "submitted_at"]


@admin.register(ResellerQualification)
class ResellerQualificationAdmin(admin.ModelAdmin):
    list_display = ["organization", "qualification", "granted_at"]
    list_select_related = ["organization"]
    search_fields = ["organization__legal_name"]
    readonly_fields = ["organization", "qualification", "granted_at", "source_request"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # irreversible
