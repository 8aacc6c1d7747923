"""Serving a request's stored document. Who may have it is decided before: the submitting
partner's view reads it scoped to the organization, the admin's view checks the reviewer's
permission; this is the response both give."""

from typing import Protocol

from django.db.models.fields.files import FieldFile
from django.http import FileResponse


class StoredDocument(Protocol):
    file: FieldFile
    original_name: str
    content_type: str  # the type checked from the content at upload


def document_response(document: StoredDocument) -> FileResponse:
    """The stored file, as a download of its checked type (never rendered inline)."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Never kept by the browser or a proxy: a shared computer must not give it to the next user.
    response["Cache-Control"] = "no-store, private"
    return response
