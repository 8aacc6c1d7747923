"""Issue 16: "the admin queue at 100,000 rows ≤ 1.2x its time at 100". The reviewers' customer
validation queue, timed in this process (Django's test client, the reviewer's session) on the
benchmark's database, and the same in a child process on a database of its own loaded with
100 requests (`python benchmarks/queue_scale.py`, which prints its median).
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUEUE = "/admin/customers/customervalidationrequest/"
SMALL_DATABASE = "gccportal_bench_small"
RUNS = 40


def queue_median_ms(reviewer_email: str, *, runs: int = RUNS) -> float:
    """The queue's median time for `reviewer_email`, after a warm-up."""
    from django.contrib.auth import get_user_model

    from tests.mfa import PortalClient

    client = PortalClient()
    client.force_login(get_user_model().objects.get(email=reviewer_email))
    for _ in range(5):
        assert client.get(QUEUE).status_code == 200
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(QUEUE)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(times)


def small_queue_median_ms() -> tuple[float, int]:
    """(the queue's median on a database of 100 requests, their number), from a child."""
    environment = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{SMALL_DATABASE}",
    }
    output = subprocess.run(
        [sys.executable, str(Path(__file__).resolve())],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    return result["median_ms"], result["requests"]


def _child() -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.databases import database_recreate

    database_recreate(SMALL_DATABASE)
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks import dataset
    from customers.validations.models import CustomerValidationRequest

    call_command("migrate", verbosity=0)
    loaded = dataset.load(scale=0.001)  # 100 customer validation requests
    median = queue_median_ms(loaded.reviewer_email)
    requests = CustomerValidationRequest.objects.count()
    print(json.dumps({"median_ms": median, "requests": requests}))


if __name__ == "__main__":
    _child()
