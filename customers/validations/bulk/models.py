"""An uploaded CSV of customer validation requests, kept between its preview and its submit."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gccportal.fields import optional_timestamp, organization_reference, user_reference


class BulkSubmission(models.Model):
    """One upload: its rows as read from the file (each row's cells by column, with its line
    number in the spreadsheet), checked again when shown and when submitted, and, once
    submitted, what each row became (`results`: line → request ID and whether this upload
    created it). Scoped to its organization: another organization's ID is not found."""

    organization = organization_reference(
        _("organization"), related_name="customer_validation_bulk_submissions"
    )
    uploaded_by = user_reference(_("uploaded by"))
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    rows = models.JSONField(_("rows"), default=list)
    results = models.JSONField(_("results"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    submitted_at = optional_timestamp(_("submitted at"))
    submitted_by = user_reference(_("submitted by"), optional=True)

    class Meta:
        verbose_name = _("bulk submission of customer validation requests")
        verbose_name_plural = _("bulk submissions of customer validation requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # An upload of the same file not submitted yet is found again (services).
            models.Index(fields=["organization", "sha256"], name="cvr_bulk_org_sha_idx"),
        ]

    def __str__(self) -> str:
        return self.filename
