"""Issue 17: "a bulk submission of 1,000 rows in under 10 s". An Admin agent uploads a CSV of
1,000 valid rows, previews it and submits it, through Django's test client (the full stack:
middleware, session, views, templates, PostgreSQL; no server, no network), with the
reviewers the submit tells (20, as benchmarks/dataset.py loads). Each step's seconds and
query count:

- upload: the file read, checked (encoding, header, limits), every row checked by the
  request form's rules, and kept with its check;
- preview: the stored checks and the rows' requests, a page of rows (100; no form runs);
- submit: the rows checked again, 1,000 requests, 1,000 audit events, the batch's emails;
- result: a page of what each row became, from the stored results.

`measure()` runs it in the current database (for benchmarks/run.py, after the others: it
adds requests). Alone, on a database of its own made again from nothing and migrated:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gccportal_bench_bulk \
    DJANGO_SETTINGS_MODULE=gccportal.settings.test .venv/bin/python benchmarks/bulk_submit.py

prints the figures as JSON (`--rows N` for another size).
"""

import argparse
import csv
import io
import json
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = 1000
REVIEWERS = 20
UPLOAD_PATH = "/customers/validations/bulk/"


def rows_csv(count: int) -> bytes:
    """A CSV of `count` valid rows, as Excel saves it (UTF-8 with its byte order mark)."""
    from customers.validations.bulk.csvfile import columns

    run = uuid.uuid4().hex[:10]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.name for column in columns()])
    types = ["federal", "state", "local", "tribal", "territorial", "private_regulated"]
    for n in range(count):
        domain = f"bench-{run}-{n}.gov"
        kind = types[n % len(types)]
        writer.writerow(
            [
                f"Bench County {run} {n}",
                kind,
                "itar;cui" if kind == "private_regulated" else "",
                domain,
                f"Robin Clerk {n}",
                f"it{n}@{domain}",
                "+1 217 555 0199",
                "",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()


def _timed(call):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = call()
        seconds = time.perf_counter() - started
    return round(seconds, 3), len(queries), response


def _admin_agent():
    """A new GCC-approved direct reseller's Admin agent, and reviewers up to REVIEWERS."""
    from partners.models import Membership
    from reviews.selectors import reviewer_users
    from tests.factories import (
        MembershipFactory,
        OrganizationFactory,
        ResellerQualificationFactory,
        ReviewerFactory,
    )

    organization = OrganizationFactory(legal_name=f"Bulk Bench {uuid.uuid4().hex[:6]}")
    ResellerQualificationFactory(organization=organization)
    for _ in range(max(REVIEWERS - reviewer_users().count(), 0)):
        ReviewerFactory()
    return MembershipFactory(organization=organization, role=Membership.Role.ADMIN_AGENT).user


def measure(*, rows: int = ROWS) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from customers.validations.bulk.models import BulkSubmission
    from customers.validations.models import CustomerValidationRequest
    from reviews.selectors import reviewer_users
    from tests.mfa import PortalClient

    client = PortalClient()
    client.force_login(_admin_agent())

    def run(count: int) -> dict:
        content = rows_csv(count)

        def upload():
            file = SimpleUploadedFile("customers.csv", content, content_type="text/csv")
            response = client.post(UPLOAD_PATH, {"file": file})
            assert response.status_code == 302, response.content.decode()[-2000:]
            return response

        figures = {}
        figures["upload_s"], figures["upload_queries"], response = _timed(upload)
        detail = response.url
        bulk = BulkSubmission.objects.get(pk=int(detail.rstrip("/").split("/")[-1]))

        def get():
            response = client.get(detail)
            assert response.status_code == 200
            return response

        def submit():
            response = client.post(f"{detail}submit/")
            assert response.status_code == 302
            return response

        figures["preview_s"], figures["preview_queries"], _ = _timed(get)
        figures["submit_s"], figures["submit_queries"], _ = _timed(submit)
        figures["result_s"], figures["result_queries"], _ = _timed(get)
        created = CustomerValidationRequest.objects.filter(
            pk__in=[
                result["request"]
                for result in BulkSubmission.objects.get(pk=bulk.pk).results.values()
            ]
        ).count()
        assert created == count, (created, count)
        figures["upload_preview_submit_s"] = round(
            figures["upload_s"] + figures["preview_s"] + figures["submit_s"], 3
        )
        return figures

    run(10)  # warm up: templates, translations, connections
    figures = run(rows)
    return {"rows": rows, "reviewers": reviewer_users().count(), **figures}


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    arguments = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gccportal.settings.test")
    import django
    from django.conf import settings as lazy_settings

    name = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1]
    if not name.startswith("gccportal_bench"):
        sys.exit("Set DATABASE_URL to a database named gccportal_bench…: it is made again.")
    from benchmarks.databases import database_recreate

    database_recreate(name)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    lazy_settings.CUSTOMER_VALIDATION_BULK_MAX_ROWS = max(
        lazy_settings.CUSTOMER_VALIDATION_BULK_MAX_ROWS, arguments.rows
    )
    print(json.dumps(measure(rows=arguments.rows)))


if __name__ == "__main__":
    _main()
