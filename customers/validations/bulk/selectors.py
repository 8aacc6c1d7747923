"""Reads of bulk submissions, scoped to the organization, and their rows checked: by the
customer validation form's rules (BulkRowForm) and the submit service's contact rule, each
valid row with its idempotency key, told apart from a row repeated in the file and from a
row already submitted (by this upload or an earlier one of the same rows)."""

import json
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from customers.selectors import transacting_partner_for
from partners.models import Organization
from reviews.models import ReviewStatus

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
    base_key: uuid.UUID | None = None  # from its content (bulk_row_key)
    key: uuid.UUID | None = None  # of its request: the base key, or one after a rejection
    previous: CustomerValidationRequest | None = None  # rejected or withdrawn: submitted again
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


# What a row's key is made of: the request fields the submit writes from it, nothing else (a
# field the form gains is not part of the key until it is added here, on purpose: the keys of
# rows already submitted must not change).
KEY_FIELDS = (  # in the order of the key's JSON (sorted)
    "commercial_tenant_id",
    "contact_email",
    "contact_name",
    "contact_phone",
    "government_domain",
    "organization_legal_name",
    "organization_type",
    "regulated_data",
)
# A request in one of these no longer stands for its row: the row may be submitted again.
RESUBMITTABLE_STATUSES = (ReviewStatus.REJECTED, ReviewStatus.WITHDRAWN)


def bulk_row_key(*, organization_id: int, cleaned: dict) -> uuid.UUID:
    """A row's first idempotency key, from its organization and the request fields it holds:
    the same rows uploaded again (in another file, or in the same one) find the requests they
    made."""
    content = {name: _normalized(cleaned[name]) for name in KEY_FIELDS}
    return uuid.uuid5(
        ROW_KEY_NAMESPACE,
        json.dumps([organization_id, content], sort_keys=True, ensure_ascii=False),
    )


def bulk_row_key_after(*, key: uuid.UUID, request_id: int) -> uuid.UUID:
    """The key of a row's next request once the one made with `key` (`request_id`) was
    rejected or withdrawn: derived, so that uploading the row twice after a rejection still
    makes one new request."""
    return uuid.uuid5(ROW_KEY_NAMESPACE, f"{key}:after:{request_id}")


def _row_checked(
    row: dict, *, organization: Organization, by_name: dict, default_tenant_id: str
) -> RowCheck:
    """A row checked now by the form's rules and the submit's contact rule, its messages in
    the active language."""
    check = RowCheck(line=row["line"], values=row["values"])
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
        check.errors += [RowError(column, label, str(message)) for message in messages]
    if not check.errors:
        check.cleaned = form.cleaned_data
        check.base_key = bulk_row_key(organization_id=organization.pk, cleaned=form.cleaned_data)
    return check


def _rows_checked(rows: list[dict], *, organization: Organization) -> list[RowCheck]:
    """The rows checked now, without their requests. The same number of queries whatever the
    number of rows: the form's rules read only the organization and its transacting partner
    (loaded once)."""
    by_name = {column.name: column for column in columns()}
    default_tenant_id = str(transacting_partner_for(organization=organization).commercial_tenant_id)
    return [
        _row_checked(
            row, organization=organization, by_name=by_name, default_tenant_id=default_tenant_id
        )
        for row in rows
    ]


def _requests_found(checks: list[RowCheck], *, organization: Organization) -> None:
    """Tell each valid row repeating an earlier one of the file apart, and find the request
    its key made: one query for every row's key, then one more per re-submission (a rejected
    or withdrawn request: the row's next key is looked up, until an open or approved request
    or none). A row with no request keeps the key its submit uses."""
    first_line_of_key = {}
    for check in checks:
        if check.base_key is None:
            continue
        check.key = check.base_key
        check.repeats_line = first_line_of_key.setdefault(check.base_key, check.line)
        if check.repeats_line == check.line:
            check.repeats_line = None
    pending = [check for check in checks if check.key is not None and check.repeats_line is None]
    while pending:
        found = {
            request.idempotency_key: request
            for request in CustomerValidationRequest.objects.filter(
                organization=organization,
                idempotency_key__in=[check.key for check in pending],
            ).only("pk", "idempotency_key", "status")
        }
        again = []
        for check in pending:
            request = found.get(check.key)
            if request is None:
                continue
            if request.status in RESUBMITTABLE_STATUSES:
                check.previous = request
                check.key = bulk_row_key_after(key=check.key, request_id=request.pk)
                again.append(check)
            else:
                check.request = request
        pending = again


def bulk_rows_check(*, bulk: BulkSubmission, organization: Organization) -> list[RowCheck]:
    """Every row of `bulk`, checked now, with the requests their keys already made (what the
    submit does: the rules may have changed since the upload)."""
    checks = _rows_checked(bulk.rows, organization=organization)
    _requests_found(checks, organization=organization)
    return checks


def bulk_rows_errors_in_every_language(
    *, rows: list[dict], checks: list[RowCheck], organization: Organization
) -> dict[int, list[dict]]:
    """The errors of the rows that have some, checked again in each of the site's languages,
    to be stored: each error's label and message by language code. Stored at the upload (and
    the submit) so that the page reads them in its reader's language without running the
    form for every row again. Only rows with errors are checked again."""
    with_errors = {check.line for check in checks if check.errors}
    wrong_rows = [row for row in rows if row["line"] in with_errors]
    stored: dict[int, list[dict]] = {line: [] for line in with_errors}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for check in _rows_checked(wrong_rows, organization=organization):
                for index, error in enumerate(check.errors):
                    errors = stored[check.line]
                    if index == len(errors):
                        errors.append({"column": error.column, "label": {}, "message": {}})
                    errors[index]["label"][code] = error.label
                    errors[index]["message"][code] = error.message
    return stored


def bulk_row_checks_stored(*, rows: list[dict], organization: Organization) -> list[dict]:
    """Each row's check as kept with the upload: its first key when valid (its requests are
    looked up when shown), its errors in every language otherwise."""
    checks = _rows_checked(rows, organization=organization)
    errors = bulk_rows_errors_in_every_language(rows=rows, checks=checks, organization=organization)
    return [
        {
            "key": str(check.base_key) if check.base_key else None,
            "errors": errors.get(check.line, []),
        }
        for check in checks
    ]


def _in_language(texts: dict | str) -> str:
    if isinstance(texts, str):
        return texts
    return (
        texts.get(translation.get_language())
        or texts.get(settings.LANGUAGE_CODE)
        or next(iter(texts.values()), "")
    )


def _errors_read(stored: list[dict]) -> list[RowError]:
    return [
        RowError(error["column"], _in_language(error["label"]), _in_language(error["message"]))
        for error in stored
    ]


def bulk_rows_preview(*, bulk: BulkSubmission, organization: Organization) -> list[RowCheck]:
    """An upload's rows as checked at the upload (no form runs again), with the requests their
    keys made by now: one query for all the rows (one more per re-submitted request)."""
    checks = []
    for row in bulk.rows:
        stored = row.get("check")
        if stored is None:  # kept before the checks were stored: checked now
            return bulk_rows_check(bulk=bulk, organization=organization)
        check = RowCheck(line=row["line"], values=row["values"])
        check.errors = _errors_read(stored["errors"])
        if not check.errors and stored["key"]:
            check.base_key = uuid.UUID(stored["key"])
        checks.append(check)
    _requests_found(checks, organization=organization)
    return checks


def bulk_rows_results(*, bulk: BulkSubmission) -> list[RowCheck]:
    """A submitted upload's rows as its submit found them (`results`), not as today's rules
    would: no query."""
    checks = []
    for row in bulk.rows:
        result = bulk.results.get(str(row["line"]), {})
        check = RowCheck(line=row["line"], values=row["values"])
        check.errors = _errors_read(result.get("errors", []))
        check.repeats_line = result.get("repeats_line")
        if result.get("request"):
            check.request = CustomerValidationRequest(pk=result["request"])
            check.created = result["created"]
        checks.append(check)
    return checks


class RowFilter:
    PROBLEMS = "problems"
    READY = "ready"
    ALL = "all"


def bulk_rows_filtered(checks: list[RowCheck], which: str) -> list[RowCheck]:
    """The rows a filter of the page shows: `problems`, `ready` (to submit, or submitted) or
    `all`."""
    if which == RowFilter.PROBLEMS:
        return [check for check in checks if check.status == RowStatus.ERRORS]
    if which == RowFilter.READY:
        # Once submitted, the ready rows are those it created.
        return [check for check in checks if check.status == RowStatus.READY or check.created]
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
