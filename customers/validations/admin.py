"""Admin of customer validation requests: the reviewers' queue and decision pages (approve with
the number of creates, reject, ask the customer contact for information), and the supporting
documents' download."""

from django import forms
from django.contrib import admin
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from reviews.admin import (
    INFO_REQUEST_FIELDSET,
    QUEUE_COLUMNS,
    AssigneeFilter,
    ConflictFilter,
    DueFilter,
    OverdueFilter,
    QueueFilter,
    ReasonForm,
    ReviewAdminMixin,
    review_decisions,
)
from reviews.documents import document_response

from . import services
from .eligibility import eligibility_of_request
from .models import CustomerValidationDocument, CustomerValidationRequest
from .selectors import customer_validation_conflict_count


class ApproveForm(ReasonForm):
    max_creates = forms.IntegerField(
        label=_("Max creates"),
        min_value=1,
        max_value=1000,
        initial=1,
        help_text=_("How many GCC customers the validation code may create (maxCreates)."),
    )


@admin.register(CustomerValidationRequest)
class CustomerValidationRequestAdmin(ReviewAdminMixin, admin.ModelAdmin):
    conflict_count = staticmethod(customer_validation_conflict_count)
    # The shared decisions (reviews/admin.py), with customer validation's services and words:
    # approval sets the code's number of creates; the customer contact answers questions.
    decisions = review_decisions(
        CustomerValidationRequest,
        {
            "approve": {
                "service": services.customer_validation_approve,
                "form_class": ApproveForm,
                "done": _("Approved. A validation code was issued to the transacting partner."),
            },
            "request-info": {
                "service": services.customer_validation_request_info,
                "label": _("Request information from the customer"),
                "text_label": _("What the customer must send"),
                "help_text": _("Say what information the customer must send."),
                "done": _(
                    "Information requested from the customer contact. The review clock is "
                    "stopped until the customer answers."
                ),
            },
        },
    )

    list_display = ["id", "organization_legal_name", "organization", *QUEUE_COLUMNS]
    list_display_links = ["id", "organization_legal_name"]
    list_filter = [
        QueueFilter,
        AssigneeFilter,
        OverdueFilter,
        DueFilter,
        ConflictFilter,
        "organization_type",
        "eligibility_outcome",
    ]
    search_fields = [
        "organization_legal_name",
        "government_domain",
        "organization__legal_name",
        "organization__partner_id",
    ]
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
        (_("Eligibility pre-check"), {"fields": ["eligibility_display"]}),
        INFO_REQUEST_FIELDSET,
        (
            _("Decision"),
            {
                "fields": [
                    "decided_by",
                    "decided_at",
                    "decision_note",
                    "conflicts_seen",
                    "code_display",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [
            *super().get_readonly_fields(request, obj),
            "regulated_data_display",
            "documents_display",
            "code_display",
            "eligibility_display",
        ]

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

    @admin.display(description=_("Partner's answers and outcome"))
    def eligibility_display(self, obj) -> str:
        """What the partner answered before submitting, and what the pre-check told it: the
        reviewer weighs it, and asks for the documents it listed if they are missing."""
        eligibility = eligibility_of_request(obj)
        if eligibility is None:
            return _("No eligibility check was made.")
        return format_html(
            '<p id="eligibility-outcome"><strong>{}</strong> {}</p>'
            "<p><strong>{}</strong></p><ul>{}</ul><p><strong>{}</strong></p><ul>{}</ul>"
            "<p><strong>{}</strong></p><ul>{}</ul>",
            eligibility["outcome_label"],
            eligibility["heading"],
            _("Reasons:"),
            format_html_join("", "<li>{}</li>", ((r,) for r in eligibility["reasons"])),
            _("Documents the partner was told you will ask for:"),
            format_html_join("", "<li>{}</li>", ((d,) for d in eligibility["documents"] or ["—"])),
            _("Answers:"),
            format_html_join(
                "",
                "<li>{}</li>",
                # One sentence per answer, so each language places its own colon ("Q : R").
                (
                    (_("%(question)s: %(answer)s") % {"question": q, "answer": a or "—"},)
                    for q, a in eligibility["answers"]
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
