"""CSV files the portal gives out, safe to open in a spreadsheet."""

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse

# A cell starting with one of these is a formula to a spreadsheet (CSV injection, OWASP):
# "=HYPERLINK(...)" typed as a name would run when the file is opened.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """`value` as a CSV cell: text that a spreadsheet would take for a formula is prefixed
    with a quote ('), shown as text; numbers are written as they are (a negative number is
    not text)."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_response(*, filename: str, header: Iterable, rows: Iterable[Iterable]) -> HttpResponse:
    """A CSV download (UTF-8 with a byte order mark, which spreadsheets need to read accents)
    of `header` and `rows`, every cell through csv_cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(cell) for cell in header])
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
