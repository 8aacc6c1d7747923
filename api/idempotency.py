"""`MS-RequestId`: a POST made again with the same ID (a retry after a timeout) gets the
first one's response and makes no second change; the same ID with another request is 409.

The change and its record (ApiRequest) are one transaction, which first takes a lock on
the (client, request ID) pair: when two copies race, the second waits there until the first
has committed, then finds its record and answers with its response (it never runs the change
to be refused by its effect, "already qualified"). Refusals (4xx) change nothing and are not
recorded: sent again, they are checked again.
"""

import hashlib
import json
import uuid
from collections.abc import Callable

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from .errors import ApiError
from .models import ApiRequest

REQUEST_ID_HEADER = "MS-RequestId"


def request_id_of(request) -> uuid.UUID:
    try:
        return uuid.UUID(request.headers.get(REQUEST_ID_HEADER, ""))
    except ValueError as exc:
        raise ApiError(
            status.HTTP_400_BAD_REQUEST,
            _("Send an %(header)s header, a new GUID for each request (the same on a retry).")
            % {"header": REQUEST_ID_HEADER},
        ) from exc


def _digest(value) -> str:
    """A form value as compared: an uploaded file by its name and content."""
    if not hasattr(value, "chunks"):
        return str(value)
    digest = hashlib.sha256(value.name.encode())
    for chunk in value.chunks():
        digest.update(chunk)
    value.seek(0)
    return digest.hexdigest()


def _fingerprint(request) -> str:
    data = request.data
    if hasattr(data, "lists"):  # a form (multipart): every value of a key, files by content
        data = {key: [_digest(value) for value in values] for key, values in data.lists()}
    body = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(stored: ApiRequest, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        raise ApiError(
            status.HTTP_409_CONFLICT,
            _(
                "This %(header)s was used for a different request. Use a new GUID for each "
                "new request; send the same one only to retry the same request."
            )
            % {"header": REQUEST_ID_HEADER},
        )
    return Response(stored.response_body, status=stored.status_code)


def _request_lock(client_id: int, request_id: uuid.UUID) -> None:
    """Held until the transaction ends: one copy of a request at a time. PostgreSQL's
    advisory lock; SQLite (the embedded shape) runs one write transaction at a time anyway."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"api.request:{client_id}:{request_id}"],
        )


def idempotent(request, perform: Callable[[], Response]) -> Response:
    """`perform()` once per request ID of this client; its response again for a retry."""
    request_id = request_id_of(request)
    fingerprint = _fingerprint(request)
    client = request.auth
    stored = ApiRequest.objects.filter(client=client, request_id=request_id).first()
    if stored is not None:
        return _replay(stored, fingerprint)
    try:
        with transaction.atomic():
            _request_lock(client.pk, request_id)
            stored = ApiRequest.objects.filter(client=client, request_id=request_id).first()
            if stored is not None:  # the copy this one waited for
                return _replay(stored, fingerprint)
            response = perform()
            ApiRequest.objects.create(
                client=client,
                request_id=request_id,
                fingerprint=fingerprint,
                status_code=response.status_code,
                response_body=response.data,
            )
    except IntegrityError:
        stored = ApiRequest.objects.filter(client=client, request_id=request_id).first()
        if stored is None:
            raise  # another constraint than the request ID's: not a replay
        return _replay(stored, fingerprint)
    return response
