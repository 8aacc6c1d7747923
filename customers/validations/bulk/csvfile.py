"""The CSV of a bulk submission: its columns (the customer validation form's fields but the
documents, named by the form's field names: stable machine names, the same in every
language), the downloadable template and allowed-values files, and reading an upload.

A file is UTF-8 text, with or without a byte order mark (Excel's "CSV UTF-8"), its cells
separated by commas or by semicolons (Excel's CSV in languages whose decimal separator is a
comma); the first row names the columns, in any order; the optional columns may be left
out. One request per row after it; blank rows are ignored.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..forms import CustomerValidationForm

# Filled in when left empty: the single form fills it in too.
TENANT_ID_COLUMN = "commercial_tenant_id"
# Not cells of a row: the form's one-time key (each row's is derived from its content), its
# files (a request sent in bulk has none; documents can be asked for by the reviewer) and the
# eligibility pre-check's signed answers (a row is submitted without a check).
_NOT_COLUMNS = {"idempotency_key", "documents", "eligibility_answers"}
# Several values in one cell (a multiple choice): separated by any of these.
MULTIPLE_VALUES_SEPARATOR = re.compile(r"[\s,;|]+")

TEMPLATE_FILENAME = "customer-validation-requests.csv"
ALLOWED_VALUES_FILENAME = "customer-validation-requests-allowed-values.csv"


@dataclass(frozen=True)
class Column:
    name: str
    field: forms.Field

    @property
    def label(self) -> str:
        return str(self.field.label)

    @property
    def required(self) -> bool:
        """Whether the header must name it (a cell may still be empty where the form allows
        it)."""
        return self.field.required and self.name != TENANT_ID_COLUMN

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(str(v), str(label)) for v, label in getattr(self.field, "choices", [])]

    @property
    def multiple(self) -> bool:
        return isinstance(self.field, forms.MultipleChoiceField)


def columns() -> list[Column]:
    """The template's columns, in the form's order: read from the form, so that a field added
    to it is a column too."""
    return [
        Column(name, field)
        for name, field in CustomerValidationForm.base_fields.items()
        if name not in _NOT_COLUMNS
    ]


def column_note(column: Column) -> str:
    """What a cell of `column` holds, in the reader's language: the form's help text (but
    the tenant ID's, which is about a field filled in for you), then how to write it."""
    if column.name == TENANT_ID_COLUMN:
        return _(
            "Leave it empty: it is filled in for you, as on the request form (an indirect "
            "reseller's requests carry its indirect provider's)."
        )
    if column.multiple:
        how = _(
            "Any of the allowed values, separated by spaces, commas or semicolons; empty when "
            "none applies."
        )
    elif column.choices:
        how = _("One of the allowed values.")
    elif getattr(column.field, "max_length", None):
        how = _("Up to %(count)s characters.") % {"count": column.field.max_length}
    else:
        how = ""
    return " ".join(part for part in (str(column.field.help_text or ""), how) if part)


def template_header() -> list[str]:
    """The template: the header row only (an example row would be uploaded as a request by
    whoever forgets to delete it)."""
    return [column.name for column in columns()]


def allowed_values_rows() -> tuple[list[str], list[list[str]]]:
    """The help file beside the template, in the reader's language (header, rows): one line
    per column, then one per allowed value of a column with a list of values."""
    header = [_("Column"), _("Required"), _("Allowed value"), _("Meaning")]
    rows = []
    for column in columns():
        required = _("Yes") if column.required else _("No")
        rows.append([column.name, required, "", f"{column.label}. {column_note(column)}"])
        rows += [[column.name, "", value, label] for value, label in column.choices]
    return header, rows


def max_rows() -> int:
    return settings.CUSTOMER_VALIDATION_BULK_MAX_ROWS


def max_bytes() -> int:
    return settings.CUSTOMER_VALIDATION_BULK_MAX_BYTES


@dataclass(frozen=True)
class ParsedFile:
    sha256: str
    # Each row: {"line": its row number in the spreadsheet (the header is row 1), "values":
    # {column: cell}, "extra": whether it had cells past the header's}.
    rows: list[dict]


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _delimiter(first_line: str) -> str:
    # Excel writes semicolons where the decimal separator is a comma (French, German...).
    return ";" if first_line.count(";") > first_line.count(",") else ","


def csv_file_read(upload: UploadedFile) -> ParsedFile:
    """The rows of an uploaded CSV, or a ValidationError on `file` that says what to do:
    not a CSV file, too large, not UTF-8, empty, a header that is not the template's, too
    many rows."""
    if not upload.name.lower().endswith(".csv"):
        raise _refuse(
            _(
                "Choose a CSV file (.csv). In Excel, choose Save As and the file type "
                '"CSV UTF-8 (Comma delimited)".'
            )
        )
    if upload.size > max_bytes():
        raise _refuse(
            _(
                "This file is %(size)s; a file can be at most %(limit)s. Split it into smaller "
                "files."
            )
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes())}
        )
    raw = upload.read()
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise _refuse(
            _(
                "This is an Excel workbook, not a CSV file. In Excel, choose Save As and the "
                'file type "CSV UTF-8 (Comma delimited)", then upload that file.'
            )
        )
    try:
        if b"\x00" in raw:
            raise UnicodeDecodeError("utf-8", raw, 0, 1, "NUL byte")  # UTF-16, or binary
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(
            _(
                "This file is not UTF-8 text. In Excel, choose Save As and the file type "
                '"CSV UTF-8 (Comma delimited)"; in another program, choose the UTF-8 '
                "encoding."
            )
        ) from None
    if not text.strip():
        raise _refuse(
            _("This file is empty. Start from the template: its first row names the columns.")
        )
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        records = list(reader)
    except csv.Error:
        raise _refuse(
            _(
                "This file can't be read as CSV near line %(line)s: check its quotation marks, "
                "or save it again from the template."
            )
            % {"line": reader.line_num}
        ) from None
    # Blank lines before the header are skipped, as a spreadsheet program would.
    while records and not any(cell.strip() for cell in records[0]):
        records.pop(0)
    if not records:  # only empty cells: ",,,", ";;;"
        raise _refuse(
            _("This file is empty. Start from the template: its first row names the columns.")
        )
    header = [cell.strip().lower() for cell in records[0]]
    # A spreadsheet program writes empty cells after the last column once any cell beyond it
    # was touched: they name no column.
    while header and not header[-1]:
        header.pop()
    _header_check(header)
    rows = []
    for index, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        values = {name: (record[i] if i < len(record) else "") for i, name in enumerate(header)}
        extra = any(cell.strip() for cell in record[len(header) :])
        rows.append({"line": index, "values": values, "extra": extra})
    if not rows:
        raise _refuse(_("This file has no request: add one row per customer under the header row."))
    if len(rows) > max_rows():
        raise _refuse(
            ngettext(
                "This file has %(count)s rows; at most %(limit)s row can be sent at once. "
                "Split it into smaller files.",
                "This file has %(count)s rows; at most %(limit)s rows can be sent at once. "
                "Split it into smaller files.",
                max_rows(),
            )
            % {
                "count": number_format(len(rows), force_grouping=True),
                "limit": number_format(max_rows(), force_grouping=True),
            }
        )
    return ParsedFile(sha256=hashlib.sha256(raw).hexdigest(), rows=rows)


def _header_check(header: list[str]) -> None:
    known = {column.name: column for column in columns()}
    problems = []
    unknown = [name for name in header if name and name not in known]
    if unknown:
        problems.append(_("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)})
    if "" in header:
        problems.append(_("A column of the first row has no name."))
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        problems.append(_("Columns named twice: %(names)s.") % {"names": ", ".join(repeated)})
    missing = [name for name, column in known.items() if column.required and name not in header]
    if missing:
        problems.append(_("Missing columns: %(names)s.") % {"names": ", ".join(missing)})
    if problems:
        raise _refuse(
            " ".join(
                [_("The first row must name the template's columns (see Columns)."), *problems]
            )
        )
