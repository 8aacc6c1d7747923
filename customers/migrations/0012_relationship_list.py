"""The Customers list on the organization's own relationships: each relationship gets a copy
of its customer's name, and of its name and domain in capitals for search (filled here for the
existing rows), and an index in list order, so a page at any depth, the count and a search
read one organization's index entries instead of joining every organization's customers. A
search's rare word is found by a trigram index on the search key (PostgreSQL only, as in
0011); a common one on the list index."""

from django.db import migrations, models


TRIGRAM_INDEX = "relationship_search_trgm"


def search_key(name: str, domain: str) -> str:
    # customers.models.search_key as it is now (a migration keeps its own copy)
    return f"{name}\n{domain}".upper()


def fill(apps, schema_editor):
    CustomerRelationship = apps.get_model("customers", "CustomerRelationship")
    batch = []
    for relationship in CustomerRelationship.objects.select_related("customer").iterator(
        chunk_size=2000
    ):
        customer = relationship.customer
        relationship.customer_name = customer.company_name
        relationship.customer_search = search_key(customer.company_name, customer.primary_domain)
        batch.append(relationship)
        if len(batch) == 2000:
            CustomerRelationship.objects.bulk_update(batch, ["customer_name", "customer_search"])
            batch = []
    CustomerRelationship.objects.bulk_update(batch, ["customer_name", "customer_search"])


def trigram_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON customers_customerrelationship "
        "USING gin (customer_search gin_trgm_ops)"
    )


def trigram_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


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
            name="customer_search",
            field=models.CharField(
                default="", editable=False, max_length=454, verbose_name="search key"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="customerrelationship",
            index=models.Index(
                fields=["organization", "customer_name", "customer", "customer_search"],
                name="relationship_list_idx",
            ),
        ),
        migrations.RunPython(trigram_create, trigram_drop),
    ]
