"""Benchmark: list pages and the reviewer queue against PostgreSQL, at growing row counts.

Run with `make benchmark`. Prints, for each page and row count, the number of SQL queries
and the median time of 20 requests; then a signed-in page with and without persistent
database connections (CONN_MAX_AGE). Uses its own database (gccportal_bench).
"""

import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gccportal.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gccportal_bench")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

import django
import psycopg2

REQUESTS = 20


def create_database() -> None:
    name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def main() -> None:
    create_database()
    django.setup()
    from django.core.management import call_command
    from django.db import close_old_connections, connection, connections, reset_queries
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from partners.models import Membership, PartnerValidationRequest
    from reviews.models import review_sla_action_at
    from tests.factories import MembershipFactory, OrganizationFactory, ReviewerFactory
    from tests.mfa import PortalClient as Client  # signed in past the second factor

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)  # post_migrate restores the reviewer groups

    agent = MembershipFactory(role=Membership.Role.ADMIN_AGENT).user
    organization = agent.membership.organization
    reviewer = ReviewerFactory()

    def seed(total: int) -> None:
        have = PartnerValidationRequest.objects.count()
        now = timezone.now()
        rows = []
        for i in range(have, total):
            # One open request per org (a constraint); the partner's own org gets decided ones.
            org = organization if i % 2 else OrganizationFactory.build()
            if org.pk is None:
                org.commercial_tenant_id = uuid.uuid4()
                org.azure_gcc_tenant_id = None
                org.save()
            status = "rejected" if org == organization else "submitted"
            rows.append(
                PartnerValidationRequest(
                    organization=org,
                    submitted_by=agent,
                    status=status,
                    submitted_at=now,
                    due_at=now,
                    commercial_tenant_id=org.commercial_tenant_id,
                    contact_name="x",
                    contact_email="x@example.com",
                    contact_phone="+1 202 555 0100",
                    government_segments=["federal"],
                    contract_vehicles="GSA",
                    attested=True,
                )
            )
        for row in rows:  # bulk_create skips save(), which derives it
            row.sla_action_at = review_sla_action_at(
                status=row.status, due_at=row.due_at, reminder_sent_at=None, escalated_at=None
            )
        PartnerValidationRequest.objects.bulk_create(rows)

    def measure(client: Client, url: str) -> tuple[int, float]:
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        query_count = len(queries)  # read now: the next request resets the query log
        times = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            client.get(url)
            # The test client keeps the connection; a real server's request_finished does this.
            close_old_connections()
            times.append(time.perf_counter() - start)
        return query_count, statistics.median(times) * 1000

    partner, admin = Client(), Client()
    partner.force_login(agent)
    admin.force_login(reviewer)
    pages = {
        "partner request list": (partner, reverse("partners:validation_list")),
        "reviewer queue": (admin, reverse("admin:partners_partnervalidationrequest_changelist")),
    }
    print(f"{'page':<24}{'rows':>7}{'queries':>9}{'median ms':>11}")
    for total in (10, 100, 1000):
        seed(total)
        for name, (client, url) in pages.items():
            count, ms = measure(client, url)
            print(f"{name:<24}{total:>7}{count:>9}{ms:>11.1f}")

    print("\nsigned-in dashboard, persistent connections vs one per request")
    for max_age in (600, 0):
        for alias in connections:
            connections[alias].close()
            connections[alias].settings_dict["CONN_MAX_AGE"] = max_age
        _, ms = measure(partner, reverse("partners:dashboard"))
        print(f"CONN_MAX_AGE={max_age:<4} median {ms:.1f} ms")


if __name__ == "__main__":
    main()
