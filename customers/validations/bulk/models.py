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
    # When the rows' personal data go (services.bulk_submission_purge): an upload not
    # submitted is deleted; a submitted one keeps each row's line, customer name and domain
    # (what its page shows beside its results), not its contact. Empty once done.
    rows_purge_at = optional_timestamp(_("rows' contacts removed at"))

    class Meta:
        verbose_name = _("bulk submission of customer validation requests")
        verbose_name_plural = _("bulk submissions of customer validation requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # An upload of the same file not submitted yet is found again (services).
            models.Index(fields=["organization", "sha256"], name="cvr_bulk_org_sha_idx"),
            # The purge's one query: the uploads whose rows are due, only those.
            models.Index(
                fields=["rows_purge_at"],
                name="cvr_bulk_purge_idx",
                condition=models.Q(rows_purge_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def rows_removed(self) -> bool:
        """Submitted long ago: its rows' contacts were removed (services.bulk_submission_purge)."""
        return self.submitted_at is not None and self.rows_purge_at is None
