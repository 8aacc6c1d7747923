"""Pages of bulk submission, for Admin agents: the upload page (with the template and the
allowed values to download), an upload's preview, its submit, then its results."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from customers.selectors import gcc_block_reason
from gccportal.exceptions import ActionNotAllowed, ServiceError
from gccportal.forms import errors_onto_form
from gccportal.spreadsheets import csv_response
from gccportal.views import found_or_404, page_of
from partners.access import admin_agent_required

from ..views import validation_unavailable
from . import csvfile, services
from .forms import BulkUploadForm
from .selectors import (
    RowFilter,
    RowStatus,
    bulk_rows_filtered,
    bulk_rows_preview,
    bulk_rows_results,
    bulk_rows_summary,
    bulk_submission_get_for_org,
)

# Rows shown per page of an upload (up to CUSTOMER_VALIDATION_BULK_MAX_ROWS in all).
ROWS_PER_PAGE = 100

admin_agent_only = admin_agent_required(
    message=_lazy(
        "Only an Admin agent can submit customer validation requests in bulk. Submit them one "
        "at a time, or ask an Admin agent of your organization."
    ),
    log_reason="not an Admin agent (bulk customer validation)",
)


@admin_agent_only
def bulk_template(request):
    # csv_response writes the byte order mark Excel needs to read the file as UTF-8.
    return csv_response(
        filename=csvfile.TEMPLATE_FILENAME, header=csvfile.template_header(), rows=[]
    )


@admin_agent_only
def bulk_allowed_values(request):
    header, rows = csvfile.allowed_values_rows()
    return csv_response(filename=csvfile.ALLOWED_VALUES_FILENAME, header=header, rows=rows)


def _upload_help() -> str:
    return _(
        "A CSV file in UTF-8, up to %(size)s and %(rows)s rows: one request per row, under "
        "the template's first row."
    ) % {
        "size": filesizeformat(csvfile.max_bytes()),
        "rows": number_format(csvfile.max_rows(), force_grouping=True),
    }


@admin_agent_only
def bulk_upload(request):
    organization = request.organization
    reason = gcc_block_reason(organization=organization)
    if reason:
        return validation_unavailable(
            request, reason, status=200 if request.method == "GET" else 409
        )
    if request.method == "POST":
        form = BulkUploadForm(request.POST, request.FILES, help_text=_upload_help())
        if form.is_valid():
            try:
                bulk = services.bulk_submission_upload(
                    organization=organization,
                    uploaded_by=request.user,
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as exc:
                errors_onto_form(form, exc)
            except ActionNotAllowed as exc:
                return validation_unavailable(request, exc.message, status=409)
            else:
                return redirect("customers:validation_bulk_detail", pk=bulk.pk)
    else:
        form = BulkUploadForm(help_text=_upload_help())
    return render(
        request,
        "customers/validation_bulk_upload.html",
        {
            "form": form,
            "columns": [
                {"column": column, "note": csvfile.column_note(column)}
                for column in csvfile.columns()
            ],
        },
    )


@admin_agent_only
def bulk_detail(request, pk: int):
    """The preview of an upload not submitted yet, from the checks stored at the upload (no
    row is checked again here: the submit checks every row); once submitted, what its submit
    found. Problems first when there are any; a page of rows at a time."""
    bulk = found_or_404(bulk_submission_get_for_org, organization=request.organization, bulk_id=pk)
    if bulk.submitted_at:
        checks = bulk_rows_results(bulk=bulk)
    else:
        checks = bulk_rows_preview(bulk=bulk, organization=request.organization)
    summary = bulk_rows_summary(checks)
    which = request.GET.get("rows")
    if which not in (RowFilter.PROBLEMS, RowFilter.READY, RowFilter.ALL):
        which = RowFilter.PROBLEMS if summary[RowStatus.ERRORS] else RowFilter.ALL
    page = page_of(request, bulk_rows_filtered(checks, which), per_page=ROWS_PER_PAGE)
    return render(
        request,
        "customers/validation_bulk_detail.html",
        {
            "bulk": bulk,
            "checks": page.object_list,
            "page": page,
            "page_query": f"rows={which}",
            "rows_filter": which,
            "filters": RowFilter,
            "contacts_kept_days": settings.CUSTOMER_VALIDATION_BULK_SUBMITTED_DAYS,
            "summary": summary,
            "statuses": RowStatus,
            "block_reason": None
            if bulk.submitted_at
            else gcc_block_reason(organization=request.organization),
        },
    )


@admin_agent_only
@require_POST
def bulk_submit(request, pk: int):
    bulk = found_or_404(bulk_submission_get_for_org, organization=request.organization, bulk_id=pk)
    already = bulk.submitted_at is not None
    try:
        bulk = services.customer_validation_bulk_submit(
            organization=request.organization, actor=request.user, bulk_id=bulk.pk
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("customers:validation_bulk_detail", pk=bulk.pk)
    if not already:
        created = sum(1 for result in bulk.results.values() if result["created"])
        if created:
            messages.success(
                request,
                ngettext(
                    "%(count)s request was submitted. The GCC review team decides within two "
                    "business days.",
                    "%(count)s requests were submitted. The GCC review team decides within two "
                    "business days.",
                    created,
                )
                % {"count": number_format(created, force_grouping=True)},
            )
        else:
            messages.info(
                request,
                _("No request was submitted: every row has errors or was submitted before."),
            )
    return redirect("customers:validation_bulk_detail", pk=bulk.pk)
