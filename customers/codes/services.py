"""State changes of GCC validation codes: taking one create of a code.

A code is issued by the approval of its request (`customers.validations.services`).
"""

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from gccportal.exceptions import ActionNotAllowed

from .models import GccValidation


class CodeExhausted(ActionNotAllowed):
    """The validation code has no creates left (another customer took the last one)."""


def gcc_validation_take(*, visible: QuerySet[GccValidation], gcc_validation: GccValidation) -> None:
    """Consume one create of the code (`visible`: the code, if this organization may use it)."""
    # Conditional decrement: the row lock of the UPDATE serializes racing agents, and the
    # second one finds no create left instead of going below zero.
    taken = visible.filter(remaining_creates__gt=0).update(
        remaining_creates=F("remaining_creates") - 1
    )
    if not taken:
        raise CodeExhausted(
            _(
                "The validation code for %(name)s has no creates left: another customer used "
                "the last one. Nothing was created. Choose another code or submit a new "
                "validation request."
            )
            % {"name": gcc_validation.organization_name}
        )
