"""The Customers list on the organization's own relationships: each relationship gets a copy
of its customer's name and domain (filled here for the existing rows) and an index in list
order, so a page at any depth, the count and a search read one organization's index entries
instead of joining every organization's customers. A search's rare word is found by trigram
indexes on those copies (PostgreSQL only, as in 0011); a common one on the list index."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


TRIGRAM_INDEXES = [
    ("relationship_name_trgm", "customer_name"),
    ("relationship_domain_trgm", "customer_domain"),
]


def fill(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    CustomerRelationship = apps.get_model("customers", "CustomerRelationship")
    customer = Customer.objects.filter(pk=OuterRef("customer_id"))
    CustomerRelationship.objects.update(
        customer_name=Subquery(customer.values("company_name")[:1]),
        customer_domain=Subquery(customer.values("primary_domain")[:1]),
    )


def trigram_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON customers_customerrelationship "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def trigram_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0011_customer_search_trigram")]

    operations = [
        migrations.AddField(
            model_name="customerrelationship",
            name="customer_name",
            field=models.CharField(
                default="", editable=False, max_length=200, verbose_name="company name"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="customerrelationship",
            name="customer_domain",
            field=models.CharField(
                default="", editable=False, max_length=253, verbose_name="primary domain"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="customerrelationship",
            index=models.Index(
                fields=["organization", "customer_name", "customer", "customer_domain"],
                name="relationship_list_idx",
            ),
        ),
        migrations.RunPython(trigram_create, trigram_drop),
    ]
