"""The GCC validation code (Partner Center's `GccValidation`) and its remaining creates."""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gccportal.fields import organization_reference


class GccValidation(models.Model):
    """A GCC validation code (Partner Center's GccValidation), issued to the transacting partner."""

    validation_id = models.UUIDField(_("validation ID"), default=uuid.uuid4, unique=True)
    partner = organization_reference(_("transacting partner"), related_name="gcc_validations")
    organization_name = models.CharField(_("organization name"), max_length=200)
    max_creates = models.PositiveIntegerField(_("max creates"))
    remaining_creates = models.PositiveIntegerField(_("remaining creates"))
    # By name: the request that issued the code is in customers.validations, which depends on
    # the codes (it issues them), not the other way round.
    source_request = models.OneToOneField(
        "customers.CustomerValidationRequest",
        on_delete=models.PROTECT,
        related_name="validation_code",
        verbose_name=_("source request"),
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("GCC validation code")
        verbose_name_plural = _("GCC validation codes")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="remaining_creates_within_max",
                condition=Q(remaining_creates__lte=F("max_creates")),
            ),
            models.CheckConstraint(name="max_creates_positive", condition=Q(max_creates__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.organization_name} ({self.remaining_creates}/{self.max_creates})"

    def webhook_data(self) -> dict:
        """The code in its webhooks: Partner Center's GccValidation fields."""
        return {
            "validationId": str(self.validation_id),
            "partnerId": str(self.partner.commercial_tenant_id),
            "organizationName": self.organization_name,
            "maxCreates": self.max_creates,
            "remainingCreates": self.remaining_creates,
        }
