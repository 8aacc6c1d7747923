"""Uploads are limited while they stream in, before anything is buffered or stored.

Two limits, both from the supporting-document settings (the only files the portal accepts):
- `UploadSizeLimitMiddleware` refuses a request whose declared body is larger than every
  allowed document together, before the body is read (HTTP 413, a page saying the limit).
- `DocumentSizeLimitUploadHandler`, first of `FILE_UPLOAD_HANDLERS`, counts each file's bytes
  and keeps none of a file past the per-file limit: the form then receives an
  `OversizeUpload` (its real size, no content) and says so next to the field, with every
  other field of the form kept.
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

# Room for the form's other fields and the multipart framing.
FORM_FIELDS_ALLOWANCE_BYTES = 1024 * 1024


def upload_request_max_bytes() -> int:
    return (
        settings.CUSTOMER_DOCUMENT_MAX_BYTES * settings.CUSTOMER_DOCUMENT_MAX_FILES
        + FORM_FIELDS_ALLOWANCE_BYTES
    )


class OversizeUpload(UploadedFile):
    """A file refused while streaming: its name and real size, none of its bytes."""

    def __init__(self, *, name: str, size: int, content_type: str | None, charset: str | None):
        super().__init__(io.BytesIO(), name, content_type, size, charset)


class DocumentSizeLimitUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.limit = settings.CUSTOMER_DOCUMENT_MAX_BYTES
        self.oversize = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.oversize or start + len(raw_data) > self.limit:
            # None stops the chunk here: the handlers after this one (memory, temporary
            # file) never receive it nor the rest of the file.
            self.oversize = True
            return None
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.oversize:
            return None  # the next handler returns the real file
        return OversizeUpload(
            name=self.file_name,
            size=file_size,
            content_type=self.content_type,
            charset=self.charset,
        )


class UploadSizeLimitMiddleware:
    """Refuse an oversize body from its Content-Length, before reading it (413)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = upload_request_max_bytes()
        if length > limit:
            # The body is never read. (No `Connection: close` here: a WSGI application may
            # not set hop-by-hop headers; the server closes a connection it did not drain.)
            return render(
                request,
                "413.html",
                {
                    "size": filesizeformat(length),
                    "limit": filesizeformat(limit),
                    "max_files": settings.CUSTOMER_DOCUMENT_MAX_FILES,
                    "max_file_size": filesizeformat(settings.CUSTOMER_DOCUMENT_MAX_BYTES),
                },
                status=413,
            )
        return self.get_response(request)
