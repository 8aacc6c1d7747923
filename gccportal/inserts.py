"""Inserting rows that a unique key makes one of a kind, many at once, while another
transaction may insert the same keys (the outbox's and the webhooks' dedupe keys)."""

from collections.abc import Iterable
from typing import TypeVar

from django.db import IntegrityError, models, transaction

M = TypeVar("M", bound=models.Model)


def rows_insert_new(model: type[M], rows: list[M], *, key: str, fields: Iterable[str]) -> list[M]:
    """Insert `rows` at once; the ones whose `key` another transaction inserted since they
    were read are left out. Inside a savepoint: a clash aborts only the batch, which is then
    written row by row (get_or_create waits for the other transaction and takes its row;
    `fields` are what a row of ours is created with)."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            return model.objects.bulk_create(rows)
    except IntegrityError:
        created_rows = []
        for row in rows:
            instance, created = model.objects.get_or_create(
                **{key: getattr(row, key)},
                defaults={field: getattr(row, field) for field in fields},
            )
            if created:
                created_rows.append(instance)
        return created_rows
