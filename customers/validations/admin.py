"""Admin of customer validation requests: the reviewers' queue and decision pages (approve with
the number of creates, reject, ask the customer contact for information), and the supporting
documents' download."""

from django import forms
from django.contrib import admin
from django.db.models import F
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from reviews.admin import OverdueFilter, QueueFilter, ReasonForm, ReviewAdminMixin
from reviews.models import ReviewStatus

from . import services
from .models import CustomerValidationDocument, CustomerValidationRequest


class ApproveForm(ReasonForm):
    max_creates = forms.IntegerField(
        label=_("Max creates"),
        min_value=1,
        max_value=1000,
        initial=1,
        help_text=_("How many GCC customers the validation code may create (maxCreates)."),
    )


def _start_review(*, request_id, reviewer, text):
    return services.customer_validation_start_review(
        request_id=request_id, reviewer=reviewer, note=text
    )


def _approve(*, request_id, reviewer, text, max_creates):
    return services.customer_validation_approve(
        request_id=request_id, reviewer=reviewer, max_creates=max_creates, note=text
    )


def _reject(*, request_id, reviewer, text):
    return services.customer_validation_reject(
        request_id=request_id, reviewer=reviewer, reason=text
    )


def _request_info(*, request_id, reviewer, text):
    return services.customer_validation_request_info(
        request_id=request_id, reviewer=reviewer, message=text
    )


@admin.register(CustomerValidationRequest)
class CustomerValidationRequestAdmin(ReviewAdminMixin, admin.ModelAdmin):
    decide_permission = services.DECIDE_PERMISSION
    decisions = {
        "start-review": {
            "label": _("Start review"),
            "from": [ReviewStatus.SUBMITTED],
            "service": _start_review,
            "text_label": _("Note (optional)"),
            "text_required": False,
            "direct": True,
            "done": _("Review started; the request is assigned to you."),
        },
        "approve": {
            "label": _("Approve"),
            "from": [ReviewStatus.IN_REVIEW],
            "service": _approve,
            "form_class": ApproveForm,
            "text_label": _("Note to the partner (optional)"),
            "text_required": False,
            "done": _("Approved. A validation code was issued to the transacting partner."),
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
            "label": _("Request information from the customer"),
            "from": [ReviewStatus.IN_REVIEW],
            "service": _request_info,
            "text_label": _("What the customer must send"),
            "text_required": True,
            "help_text": _("Say what information the customer must send."),
            "done": _(
                "Information requested from the customer contact. The review clock is stopped "
                "until the customer answers."
            ),
        },
    }

    list_display = [
        "id",
        "organization_legal_name",
        "organization",
        "status",
        "due_at",
        "overdue",
        "submitted_at",
        "assigned_reviewer",
    ]
    list_display_links = ["id", "organization_legal_name"]
    list_filter = [QueueFilter, OverdueFilter, "organization_type"]
    search_fields = [
        "organization_legal_name",
        "government_domain",
        "organization__legal_name",
        "organization__partner_id",
    ]
    list_select_related = ["organization", "assigned_reviewer"]
    fieldsets = [
        (
            _("Request"),
            {
                "fields": [
                    "organization",
                    "transacting_partner",
                    "status",
                    "submitted_by",
                    "submitted_at",
                    "due_at",
                    "assigned_reviewer",
                ]
            },
        ),
        (
            _("Customer"),
            {
                "fields": [
                    "organization_legal_name",
                    "organization_type",
                    "regulated_data_display",
                    "government_domain",
                    "contact_name",
                    "contact_email",
                    "contact_phone",
                    "commercial_tenant_id",
                    "documents_display",
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
        (_("Decision"), {"fields": ["decided_by", "decided_at", "decision_note", "code_display"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [
            *super().get_readonly_fields(request, obj),
            "regulated_data_display",
            "documents_display",
            "code_display",
        ]

    def get_ordering(self, request):
        return [F("due_at").asc(nulls_last=True), "submitted_at"]

    @admin.display(description=_("Regulated data handled"))
    def regulated_data_display(self, obj) -> str:
        return ", ".join(obj.get_regulated_data_display()) or "—"

    @admin.display(description=_("Supporting documents"))
    def documents_display(self, obj) -> str:
        documents = obj.documents.all()
        if not documents:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> ({}, {} · {})</li>',
                (
                    (
                        reverse(
                            "admin:customers_customervalidationrequest_document",
                            args=[obj.pk, document.pk],
                        ),
                        document.original_name,
                        document.content_type,
                        document.get_source_display(),
                        # In the reviewer's time zone, like every other date of the page.
                        date_format(timezone.localtime(document.uploaded_at), "DATETIME_FORMAT"),
                    )
                    for document in documents
                ),
            ),
        )

    @admin.display(description=_("Validation code"))
    def code_display(self, obj) -> str:
        code = getattr(obj, "validation_code", None)
        if code is None:
            return "—"
        return f"{code.validation_id} ({code.remaining_creates}/{code.max_creates})"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/documents/<int:document_id>/",
                self.admin_site.admin_view(self.document_view),
                name="customers_customervalidationrequest_document",
            ),
            *super().get_urls(),
        ]

    def document_view(self, request, object_id: str, document_id: int):
        if not self.has_view_permission(request):
            raise Http404
        document = CustomerValidationDocument.objects.filter(
            pk=document_id, request_id=object_id if object_id.isdigit() else None
        ).first()
        if document is None:
            raise Http404
        return document_response(document)


def document_response(document: CustomerValidationDocument) -> FileResponse:
    """The stored file, as a download of its checked type (never rendered inline)."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
