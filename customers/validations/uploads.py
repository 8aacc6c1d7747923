"""Supporting documents: the type is decided by the file's content, never by its name.

Files go to storage while the request's transaction is open (the row needs the name); if the
transaction then fails, `files_removed_on_failure` deletes what it wrote, so a rolled-back
request leaves no orphaned document behind.
"""

import functools
import logging
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Content signature → (MIME type, file name endings that may carry it).
SIGNATURES = {
    b"%PDF-": ("application/pdf", (".pdf",)),
    b"\x89PNG\r\n\x1a\n": ("image/png", (".png",)),
    b"\xff\xd8\xff": ("image/jpeg", (".jpg", ".jpeg")),
}


def document_check(upload: UploadedFile) -> str:
    """The MIME type of an acceptable document; ValidationError saying what to send instead."""
    name = upload.name or ""
    limit = settings.CUSTOMER_DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size)s; documents may be at most %(limit)s. Send a smaller file.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, (mime, endings) in SIGNATURES.items():
        if head.startswith(signature):
            if not name.lower().endswith(endings):
                raise ValidationError(
                    _(
                        "%(name)s is not what its name says. Send PDF, PNG or JPEG files "
                        "named after their real type."
                    )
                    % {"name": name}
                )
            return mime
    raise ValidationError(
        _("%(name)s is not a PDF, PNG or JPEG file. Send the document in one of those formats.")
        % {"name": name}
    )


logger = logging.getLogger(__name__)
_written: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("files_written", default=None)


def file_written(*, storage: Storage, name: str) -> None:
    """Record a file stored inside a `files_removed_on_failure` call."""
    written = _written.get()
    if written is not None:
        written.append((storage, name))


F = TypeVar("F", bound=Callable)


def files_removed_on_failure(func: F) -> F:
    """Put outside `@transaction.atomic`: an exception (the rollback) deletes stored files."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        written: list[tuple[Storage, str]] = []
        token = _written.set(written)
        try:
            return func(*args, **kwargs)
        except BaseException:
            for storage, name in written:
                try:
                    storage.delete(name)
                except Exception:  # the original error matters more; log this one
                    logger.exception("Could not delete %s after a rolled-back request", name)
            raise
        finally:
            _written.reset(token)

    return wrapper
