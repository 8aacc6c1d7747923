"""Factories for the fields and constraints the apps' models declare again and again.

Each factory returns a plain Django field or constraint that deconstructs exactly as the one
written out in full would: a model that uses one has the same migrations.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import models


def protected_reference(
    to, verbose_name=None, *, related_name=None, optional=False, **options
) -> models.ForeignKey:
    """A foreign key whose target cannot be deleted while a row refers to it.

    `optional`: the reference may be empty (NULL in the database, blank in forms).
    """
    return models.ForeignKey(
        to,
        on_delete=models.PROTECT,
        null=optional,
        blank=optional,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )


def user_reference(verbose_name=None, *, optional=False, **options) -> models.ForeignKey:
    """The user who did something to the row (created, submitted, decided it, ...).

    No reverse accessor on the user: nothing reads a user's rows through it.
    """
    return protected_reference(
        settings.AUTH_USER_MODEL, verbose_name, related_name="+", optional=optional, **options
    )


def organization_reference(
    verbose_name=None, *, related_name, optional=False, **options
) -> models.ForeignKey:
    """A partner organization: the one a row belongs to, or one it names."""
    return protected_reference(
        "partners.Organization",
        verbose_name,
        related_name=related_name,
        optional=optional,
        **options,
    )


def optional_timestamp(verbose_name=None, **options) -> models.DateTimeField:
    """When something happened that may not have happened (yet): empty until it does."""
    return models.DateTimeField(verbose_name, null=True, blank=True, **options)


def unique_idempotency_key(name: str) -> models.UniqueConstraint:
    """A form's one-time key (`idempotency_key`) is unique per organization.

    A re-posted form (a retry after a timeout, a double click) finds what its first post
    created, and of two posts racing, the constraint lets one in.
    """
    return models.UniqueConstraint(fields=["organization", "idempotency_key"], name=name)


def choice_labels(choices: type[models.Choices], values: Iterable[str]) -> list[str]:
    """The labels of the choice values a multiple-choice (JSON list) field holds.

    A value that is no longer one of the choices is shown as it is stored.
    """
    labels = dict(choices.choices)
    return [str(labels.get(value, value)) for value in values]
