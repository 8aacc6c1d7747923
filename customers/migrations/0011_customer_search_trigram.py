"""Customers search (`icontains` on the name and the primary domain): trigram indexes on what
PostgreSQL compares, `UPPER(column::text)`, so that a search reads the matching customers
instead of every customer. pg_trgm is a trusted extension (PostgreSQL 13+): the database's
owner may create it. Nothing on SQLite (the embedded shape), which has no such index."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [("customer_name_trgm", "company_name"), ("customer_domain_trgm", "primary_domain")]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON customers_customer "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0010_customer_customer_name_order_idx_and_more")]

    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
