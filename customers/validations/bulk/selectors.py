"""Reads of bulk submissions, scoped to the organization, and their rows checked: by the
customer validation form's rules (BulkRowForm) and the submit service's contact rule, each
valid row with its idempotency key, told apart from a row repeated in the file and from a
row already submitted (by this upload or an earlier one of the same rows)."""

import json
import uuid
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from customers.selectors import transacting_partner_for
from partners.models import Organization

from ..models import CustomerValidationRequest
from ..selectors import customer_validation_contact_problem
from .csvfile import MULTIPLE_VALUES_SEPARATOR, TENANT_ID_COLUMN, Column, columns
from .forms import BulkRowForm
from .models import BulkSubmission

# The namespace of the rows' idempotency keys (uuid5). Never change it: an upload of rows
# already submitted would no longer find their requests.
ROW_KEY_NAMESPACE = uuid.UUID("6b7c1f0e-4f0e-5b8e-9a51-6d1f3c0b2a47")


def bulk_submission_get_for_org(*, organization: Organization, bulk_id: int) -> BulkSubmission:
    """One of the organization's uploads; another organization's is DoesNotExist."""
    return BulkSubmission.objects.get(pk=bulk_id, organization=organization)


class RowStatus:
    READY = "ready"
    ERRORS = "errors"
    REPEATED = "repeated"  # the same request as an earlier row of the file
    SUBMITTED = "submitted"  # its request exists already


@dataclass
class RowError:
    column: str  # the column's name, or "" for a problem of the whole row
    label: str
    message: str


@dataclass
class RowCheck:
    line: int
    values: dict
    errors: list[RowError] = field(default_factory=list)
    cleaned: dict | None = None
    key: uuid.UUID | None = None
    repeats_line: int | None = None
    request: CustomerValidationRequest | None = None
    created: bool = False  # by this upload's submit (its results)

    @property
    def status(self) -> str:
        if self.errors:
            return RowStatus.ERRORS
        if self.request is not None:
            return RowStatus.SUBMITTED
        if self.repeats_line is not None:
            return RowStatus.REPEATED
        return RowStatus.READY

    @property
    def customer(self) -> str:
        return (self.values.get("organization_legal_name") or "").strip()

    @property
    def domain(self) -> str:
        return (self.values.get("government_domain") or "").strip()


def _form_data(values: dict, by_name: dict[str, Column], default_tenant_id: str) -> dict:
    """A row's cells as the form's posted data."""
    data = {}
    for name, column in by_name.items():
        cell = (values.get(name) or "").strip()
        if column.multiple:
            data[name] = [part.lower() for part in MULTIPLE_VALUES_SEPARATOR.split(cell) if part]
        elif column.choices:
            # A value in any case: the template's values are lower case.
            lowered = {value.lower(): value for value, _label in column.choices}
            data[name] = lowered.get(cell.lower(), cell)
        else:
            data[name] = cell
    if not data.get(TENANT_ID_COLUMN):
        data[TENANT_ID_COLUMN] = default_tenant_id
    return data


def _normalized(value):
    if isinstance(value, list | tuple):
        return sorted(_normalized(item) for item in value)
    # Spaces and case make no other request: "City of  Springfield" is "CITY OF SPRINGFIELD".
    return " ".join(str(value).split()).casefold()


def bulk_row_key(*, organization_id: int, cleaned: dict) -> uuid.UUID:
    """A row's idempotency key, from its organization and its cleaned content: the same rows
    uploaded again (in another file, or in the same one) find the requests they made."""
    content = {name: _normalized(value) for name, value in cleaned.items()}
    return uuid.uuid5(
        ROW_KEY_NAMESPACE,
        json.dumps([organization_id, content], sort_keys=True, ensure_ascii=False),
    )


def bulk_rows_check(*, bulk: BulkSubmission, organization: Organization) -> list[RowCheck]:
    """Every row of `bulk`, checked now. The same number of queries whatever the number of
    rows: the form's rules read only the organization and its transacting partner (loaded
    once), and one query finds the requests the rows' keys already made."""
    by_name = {column.name: column for column in columns()}
    default_tenant_id = str(transacting_partner_for(organization=organization).commercial_tenant_id)
    results = bulk.results or {}
    checks, first_line_of_key = [], {}
    for row in bulk.rows:
        check = RowCheck(line=row["line"], values=row["values"])
        checks.append(check)
        if row.get("extra"):
            check.errors.append(
                RowError(
                    "",
                    _("Row"),
                    _("This row has more cells than the first row has columns: remove them."),
                )
            )
        form = BulkRowForm(
            _form_data(row["values"], by_name, default_tenant_id), organization=organization
        )
        if form.is_valid() and not check.errors:
            cleaned = form.cleaned_data
            problem = customer_validation_contact_problem(
                contact_email=cleaned["contact_email"],
                government_domain=cleaned["government_domain"],
            )
            if problem:
                form.add_error("contact_email", problem)
        for name, messages in form.errors.items():
            label = str(form.fields[name].label) if name in form.fields else _("Row")
            column = name if name in form.fields else ""
            check.errors += [RowError(column, label, message) for message in messages]
        if check.errors:
            continue
        check.cleaned = form.cleaned_data
        check.key = bulk_row_key(organization_id=organization.pk, cleaned=form.cleaned_data)
        check.repeats_line = first_line_of_key.setdefault(check.key, check.line)
        if check.repeats_line == check.line:
            check.repeats_line = None
    keys = [check.key for check in checks if check.key is not None]
    existing = {
        request.idempotency_key: request
        for request in CustomerValidationRequest.objects.filter(
            organization=organization, idempotency_key__in=keys
        ).only("pk", "idempotency_key", "status", "organization_legal_name")
    }
    for check in checks:
        if check.key in existing and check.repeats_line is None:
            check.request = existing[check.key]
            result = results.get(str(check.line))
            check.created = bool(
                result and result["created"] and result["request"] == check.request.pk
            )
    return checks


def bulk_rows_summary(checks: list[RowCheck]) -> dict[str, int]:
    summary = {
        RowStatus.READY: 0,
        RowStatus.ERRORS: 0,
        RowStatus.REPEATED: 0,
        RowStatus.SUBMITTED: 0,
    }
    for check in checks:
        summary[check.status] += 1
    summary["created"] = sum(1 for check in checks if check.created)
    summary["before"] = summary[RowStatus.SUBMITTED] - summary["created"]
    summary["total"] = len(checks)
    return summary
