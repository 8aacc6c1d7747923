"""The beat sweeps on the benchmark's data set (issue 16: "every sweep one indexed query that
selects only rows with work to do, ≤ 100 ms on the full tables"), run in this process.

`measure()` runs each sweep function as its beat task does, at one fixed time: the time the
data set was loaded (`loaded_at()`), when the data is the review clock's steady state
(benchmarks/dataset.py): **nothing is due** for any sweep — every open request was already
reminded or escalated as far as its times say, the pending emails are due an hour later, and
no order, invitation, webhook delivery or task delivery waits. (At full scale one customer
validation request falls due exactly then: the review sweep selects it, locks it, finds it not
yet overdue and leaves it.) So the figures are what a sweep costs when it changes nothing,
which is nearly every run of it.

Each run is inside a transaction rolled back afterwards: measuring never changes the data,
and nothing is published to the broker (publishing waits for a commit).
"""

import datetime as dt
import statistics
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

RUNS = 5
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def loaded_at() -> dt.datetime:
    """When the data set was loaded: its organizations' creation time (the load's now())."""
    from partners.models import Organization

    return Organization.objects.order_by("-created_at").values_list("created_at", flat=True)[0]


def sweeps(now: dt.datetime) -> list[tuple[str, Callable[[], object]]]:
    """Each beat sweep (CELERY_BEAT_SCHEDULE) as its task calls it, at `now`."""
    from customers.invitations.services import invitation_expire_sweep
    from jobs.services import task_delivery_purge
    from notifications.services import outbox_sweep
    from orders.services import order_provisioning_sweep
    from reviews.selectors import review_kinds
    from reviews.services import review_sla_sweep
    from webhooks.services import webhook_sweep

    reviews = [
        (
            f"review SLA sweep ({model._meta.verbose_name_plural})",
            lambda model=model: review_sla_sweep(model=model, now=now),
        )
        for model in review_kinds()
    ]
    return [
        *reviews,
        ("outbox sweep", lambda: outbox_sweep(now=now)),
        ("invitation expiry sweep", lambda: invitation_expire_sweep(now=now)),
        ("webhook sweep", lambda: webhook_sweep(now=now)),
        ("order provisioning sweep", lambda: order_provisioning_sweep(now=now)),
        ("task delivery purge", lambda: task_delivery_purge(now=now)),
    ]


def _run_rolled_back(sweep: Callable[[], object]) -> float:
    """One run's milliseconds; its changes (if any) rolled back."""
    with transaction.atomic():
        start = time.perf_counter()
        sweep()
        elapsed = (time.perf_counter() - start) * 1000
        transaction.set_rollback(True)
    return elapsed


def measure(*, now: dt.datetime | None = None, runs: int = RUNS) -> list[tuple[str, float, int]]:
    """(sweep, median ms over `runs` runs, queries of one run) for each beat sweep at `now`
    (by default `loaded_at()`: nothing due). Call with Django set up on the loaded database."""
    now = now or loaded_at()
    results = []
    for name, sweep in sweeps(now):
        with CaptureQueriesContext(connection) as queries:
            _run_rolled_back(sweep)  # also warms the caches
        # Statements only: not BEGIN, SAVEPOINT, RELEASE, ROLLBACK (transaction control).
        count = sum(1 for q in queries.captured_queries if not q["sql"].startswith(CONTROL))
        median = statistics.median(_run_rolled_back(sweep) for _ in range(runs))
        results.append((name, median, count))
    return results


if __name__ == "__main__":  # with DJANGO_SETTINGS_MODULE and the database's environment set
    import django

    django.setup()
    for name, ms, count in measure():
        print(f"{name:55} {ms:8.1f} ms {count:4} queries")
