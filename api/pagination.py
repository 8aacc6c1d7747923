"""Partner Center's collections: `totalCount`, `items`, `links.next` and a continuation.

`GET /v1/customers?size=n` returns the first n; `links.next` says how to ask for the next
ones: the same URI with `seekOperation=Next` and the `MS-ContinuationToken` header. The
token holds the last row's sort key (signed, and bound to the organization), so the next
page starts after it: rows inserted meanwhile never shift a page (keyset, not offset).
"""

from django.core import signing
from django.db.models import DateTimeField, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import status

from .errors import ApiError

CONTINUATION_HEADER = "MS-ContinuationToken"
# A collection's query parameters.
PAGE_QUERY = frozenset({"size", "seekOperation"})
DEFAULT_SIZE = 100
MAX_SIZE = 500
_SALT = "api.continuation"


def collection(items: list, *, next_link: dict | None = None) -> dict:
    body = {"totalCount": len(items), "items": items}
    if next_link:
        body["links"] = {"next": next_link}
    body["attributes"] = {"objectType": "Collection"}
    return body


def page_size(request) -> int:
    raw = request.query_params.get("size", str(DEFAULT_SIZE))
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_SIZE:
        raise ApiError(
            status.HTTP_400_BAD_REQUEST,
            _("size must be a whole number from 1 to %(max)d.") % {"max": MAX_SIZE},
        )
    return size


def keyset_page(
    request, queryset: QuerySet, *, fields: tuple[str, str], scope: str, descending=False
):
    """(rows, next link or None): `size` rows of `queryset`, ordered by `fields` (a unique
    pair: a name, then the primary key; newest first with `descending`), after the
    continuation token's row if any."""
    size = page_size(request)
    first, second = fields
    token = request.headers.get(CONTINUATION_HEADER)
    seek = request.query_params.get("seekOperation")
    if seek is not None and seek.lower() != "next":
        raise ApiError(status.HTTP_400_BAD_REQUEST, _("seekOperation can only be Next."))
    if seek is not None:
        if not token:
            raise ApiError(
                status.HTTP_400_BAD_REQUEST,
                _("seekOperation=Next needs the %(header)s header of the previous page.")
                % {"header": CONTINUATION_HEADER},
            )
        try:
            after = signing.loads(token, salt=f"{_SALT}:{scope}")
        except signing.BadSignature as exc:
            raise ApiError(
                status.HTTP_400_BAD_REQUEST, _("The continuation token is not valid.")
            ) from exc
        if isinstance(queryset.model._meta.get_field(first), DateTimeField):
            after[0] = parse_datetime(after[0])
        beyond = "lt" if descending else "gt"
        queryset = queryset.filter(
            Q(**{f"{first}__{beyond}": after[0]})
            | Q(**{first: after[0], f"{second}__{beyond}": after[1]})
        )
    order = (f"-{first}", f"-{second}") if descending else (first, second)
    rows = list(queryset.order_by(*order)[: size + 1])
    if len(rows) <= size:
        return rows, None
    rows = rows[:size]
    last = rows[-1]
    key = getattr(last, first)
    next_token = signing.dumps(
        [key.isoformat() if hasattr(key, "isoformat") else key, getattr(last, second)],
        salt=f"{_SALT}:{scope}",
    )
    return rows, {
        "uri": f"{request.path}?size={size}&seekOperation=Next",
        "method": "GET",
        "headers": [{"key": CONTINUATION_HEADER, "value": next_token}],
    }
