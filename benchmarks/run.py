"""`make bench`: issue 16's data set, the portal served by gunicorn as in production, each page
measured from outside by a load tool, interleaved with two references served the same way.

1. A database of its own (`gccportal_bench`) is made again, migrated, loaded with
   `benchmarks/dataset.py` (set-based SQL, under a minute) and vacuumed.
2. gunicorn serves `benchmarks.settings` (production's: PostgreSQL with connections kept,
   Redis cache, DEBUG off; plain HTTP on loopback) with 2 sync workers.
3. wrk (closed loop, 8 connections, 2 threads) measures each page for BENCH_SECONDS, the
   pages and the two references (a bare Django view, the minimal signed-in view) taking turns,
   BENCH_ROUNDS times; a page's figure is the median of its rounds.
4. The query count of each page is read in this process (Django's test client on the same
   database and settings).
5. In this process too: every beat sweep when nothing is due (benchmarks/sweeps.py), the
   reviewers' queue at 100,000 requests and at 100 (benchmarks/queue_scale.py, the small one
   on a database of its own), and a submit against two page views (benchmarks/submit.py).

Prints p50/p95, req/s, the ratios to both references and the query counts, and writes
docs/benchmarks.md, whose last line is `worst p50 ratio to the signed-in view X.XX (PAGE)`.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.databases import database_recreate, vacuum  # noqa: E402

DATABASE = "gccportal_bench"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "4"))
CONNECTIONS = 8
SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
REPORT = ROOT / "docs" / "benchmarks.md"

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{PORT}",
        "REDIS_URL": "redis://127.0.0.1:6379/13",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/13",
        "AWS_STORAGE_BUCKET_NAME": "gccportal-bench",
    }
)


@dataclass
class Page:
    name: str
    path: str
    who: str  # "partner", "reviewer" or "" (anonymous)
    queries: int | None = None
    rounds: list[dict] = field(default_factory=list)

    def median(self, key: str) -> float:
        return statistics.median(r[key] for r in self.rounds)

    @property
    def p50_ms(self) -> float:
        return self.median("p50") / 1000

    @property
    def p95_ms(self) -> float:
        return self.median("p95") / 1000

    @property
    def rps(self) -> float:
        return statistics.median(r["requests"] / (r["duration_us"] / 1e6) for r in self.rounds)


def pages_for(loaded) -> list[Page]:
    from customers.models import Customer
    from customers.validations.models import CustomerValidationRequest
    from orders.models import Order

    request = CustomerValidationRequest.objects.filter(organization_id=loaded.reseller_id).first()
    order = Order.objects.filter(organization_id=loaded.reseller_id).order_by("pk").first()
    customer = Customer.objects.get(pk=order.customer_id)
    name_word = customer.company_name.split()[-2]  # its md5 word, e.g. "0de5fc94"
    return [
        Page("bare Django view", "/bench/bare/", ""),
        Page("signed-in view", "/bench/signed-in/", "partner"),
        Page("dashboard", "/", "partner"),
        Page("Customers", "/customers/", "partner"),
        Page("Customers page 500", "/customers/?page=500", "partner"),
        Page("Customers page 1000", "/customers/?page=1000", "partner"),
        # A search for one customer by a word of its name, and for a word a fifth share.
        Page("Customers search (a name)", f"/customers/?q={name_word}", "partner"),
        Page("Customers search (a common word)", "/customers/?q=county", "partner"),
        Page("Customer validation requests", "/customers/validations/", "partner"),
        Page("one request", f"/customers/validations/{request.pk}/", "partner"),
        Page("a customer's Account", f"/customers/{customer.pk}/account/", "partner"),
        Page("an order", f"/orders/{order.pk}/", "partner"),
        Page(
            "reviewer: customer validation queue",
            "/admin/customers/customervalidationrequest/",
            "reviewer",
        ),
        Page(
            "reviewer: partner validation queue",
            "/admin/partners/partnervalidationrequest/",
            "reviewer",
        ),
        # The lead's SLA figures: aggregates over every open request and the last 90 days'
        # decisions of both kinds.
        Page("reviewer: SLA page", "/admin/sla/", "reviewer"),
    ]


def sessions(loaded) -> dict[str, str]:
    """A session cookie (past the second factor) for the partner agent and the reviewer."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from tests.mfa import PortalClient

    cookies = {"": ""}
    users = get_user_model().objects
    for who, email in [
        ("partner", loaded.reseller_agent_email),
        ("reviewer", loaded.reviewer_email),
    ]:
        client = PortalClient()
        client.force_login(users.get(email=email))
        cookies[who] = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
    return cookies


def query_counts(pages: list[Page], cookies: dict[str, str]) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for page in pages:
        client = Client()
        if cookies[page.who]:
            name, value = cookies[page.who].split("=", 1)
            client.cookies[name] = value
        client.get(page.path)  # the session's first request records its activity
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.path)
        assert response.status_code == 200, (page.path, response.status_code)
        page.queries = len(queries)


def serve() -> subprocess.Popen:
    (ROOT / "var").mkdir(exist_ok=True)
    log = (ROOT / "var" / "bench-gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "gccportal.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/bare/", timeout=2):
                return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("gunicorn did not answer within 60 s: var/bench-gunicorn.log")


def wrk(page: Page, cookie: str, seconds: int) -> dict:
    command = [
        "wrk",
        f"-c{CONNECTIONS}",
        "-t2",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(ROOT / "benchmarks" / "report.lua"),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{PORT}{page.path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    if result["non2xx"] or result["errors"]:
        raise SystemExit(f"{page.name}: {result['non2xx']} non-2xx, {result['errors']} errors")
    return result


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    postgres = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return (
        f"{os.cpu_count()} x {cpu}, {memory} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PostgreSQL {postgres}"
    )


def in_process_report(sweep_rows, queue: dict, submitted: dict) -> list[str]:
    """The figures measured in this process: the sweeps, the queue at two sizes, a submit."""
    lines = [
        "## Measured in process",
        "",
        "Django's test client or the sweep functions, on the same database (medians).",
        "",
        "**The beat sweeps**, when nothing is due (benchmarks/sweeps.py): target one indexed",
        "query selecting only rows with work to do, ≤ 100 ms.",
        "",
        "| sweep | ms | queries |",
        "|---|---:|---:|",
        *(f"| {name} | {ms:.1f} | {count} |" for name, ms, count in sweep_rows),
        "",
        "**The reviewers' customer validation queue** at two sizes (benchmarks/queue_scale.py):",
        "target ≤ 1.2x its time at 100 requests.",
        "",
        "| requests | ms |",
        "|---:|---:|",
        f"| {queue['small_requests']:,} | {queue['small_ms']:.1f} |",
        f"| {queue['large_requests']:,} | {queue['large_ms']:.1f} |",
        "",
        f"ratio {queue['large_ms'] / queue['small_ms']:.2f}",
        "",
        "**Submitting a customer validation request** (benchmarks/submit.py: the form posted,",
        f"{submitted['reviewers']} reviewers told) against the two page views of the same",
        "client: target ≤ 2x.",
        "",
        "| | ms | queries |",
        "|---|---:|---:|",
        f"| submit | {submitted['submit_ms']:.1f} | {submitted['queries']['submit']} |",
        f"| requests list | {submitted['list_ms']:.1f} | {submitted['queries']['list']} |",
        f"| one request | {submitted['detail_ms']:.1f} | {submitted['queries']['detail']} |",
        "",
        f"submit ÷ page view {submitted['ratio']:.2f} (÷ the list {submitted['ratio_to_list']:.2f},"
        f" ÷ one request {submitted['ratio_to_detail']:.2f})",
        "",
    ]
    return lines


def report(
    pages: list[Page],
    load_seconds: float,
    counts: dict,
    reseller_customers: int,
    in_process: list[str],
) -> str:
    bare, signed_in = pages[0], pages[1]
    rows = [
        "| page | p50 ms | p95 ms | req/s | p50 ÷ signed-in | p50 ÷ bare | queries |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    worst = None
    for page in pages:
        ratio = page.p50_ms / signed_in.p50_ms
        rows.append(
            f"| {page.name} | {page.p50_ms:.1f} | {page.p95_ms:.1f} | {page.rps:.0f} | "
            f"{ratio:.2f}x | {page.p50_ms / bare.p50_ms:.2f}x | {page.queries} |"
        )
        if page not in (bare, signed_in) and (worst is None or ratio > worst[0]):
            worst = (ratio, page.name)
    data = ", ".join(f"{table} {count:,}" for table, count in counts.items())
    lines = [
        "# Benchmarks",
        "",
        "`make bench` (benchmarks/run.py): issue 16's data set, gunicorn (2 sync workers) on",
        "PostgreSQL with connections kept, wrk on loopback (closed loop, "
        f"{CONNECTIONS} connections),",
        f"{ROUNDS} rounds of {SECONDS} s per page, pages and references taking turns; each "
        "figure is the median of its rounds.",
        "",
        f"- Machine: {machine()}.",
        f"- Data ({load_seconds:.0f} s to load): {data}.",
        f"- As the bench reseller (an indirect reseller with {reseller_customers:,} customers) "
        "and a reviewer.",
        "",
        *rows,
        "",
        *in_process,
        f"worst p50 ratio to the signed-in view {worst[0]:.2f} ({worst[1]})",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    database_recreate(DATABASE)
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks import dataset

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    loaded = dataset.load(scale=SCALE)
    load_seconds = time.monotonic() - started
    print(f"data set loaded in {load_seconds:.0f} s: {loaded.counts}")
    vacuum(DATABASE)
    pages = pages_for(loaded)
    cookies = sessions(loaded)
    query_counts(pages, cookies)
    server = serve()
    try:
        for page in pages:  # warm both workers up
            wrk(page, cookies[page.who], 1)
        for round_number in range(ROUNDS):
            for page in pages:
                page.rounds.append(wrk(page, cookies[page.who], SECONDS))
            print(f"round {round_number + 1}/{ROUNDS} done")
    finally:
        server.terminate()
        server.wait(timeout=30)
    from benchmarks import queue_scale, submit, sweeps
    from customers.selectors import customer_count_for_org
    from customers.validations.models import CustomerValidationRequest
    from partners.models import Organization

    sweep_rows = sweeps.measure()
    small_ms, small_requests = queue_scale.small_queue_median_ms()
    queue = {
        "small_ms": small_ms,
        "small_requests": small_requests,
        "large_ms": queue_scale.queue_median_ms(loaded.reviewer_email),
        "large_requests": CustomerValidationRequest.objects.count(),
    }
    submitted = submit.measure(loaded)  # last: it adds requests
    reseller = Organization.objects.get(pk=loaded.reseller_id)
    text = report(
        pages,
        load_seconds,
        loaded.counts,
        customer_count_for_org(organization=reseller),
        in_process_report(sweep_rows, queue, submitted),
    )
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
