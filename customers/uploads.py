"""Supporting documents: the type is decided by the file's content, never by its name."""

from django.conf import settings
from django.core.exceptions import ValidationError
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
