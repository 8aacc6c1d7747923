"""What the plan tests share: a page's query, or a sweep's, explained by PostgreSQL."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.mfa import PortalClient


def plan_of(client, path: str, table: str, *, sort: bool = True) -> str:
    """PostgreSQL's plan of the page's query that reads `table`'s rows (its ORDER BY one);
    `sort=False`: the plan when sorting is the planner's last resort (does an index give the
    order?)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    [sql] = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT")
        and f'FROM "{table}"' in q["sql"]
        and "ORDER BY" in q["sql"]
    ]
    with connection.cursor() as cursor:
        if not sort:
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def signed_in(email: str) -> PortalClient:
    client = PortalClient()
    client.force_login(get_user_model().objects.get(email=email))
    return client


def sweep_plan(sweep, table: str, *, seqscan: bool = True) -> str:
    """PostgreSQL's plan of the sweep's first query of `table` (its selecting query)."""
    with CaptureQueriesContext(connection) as queries:
        sweep()
    sql = next(
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("SELECT", "DELETE")) and f'FROM "{table}"' in q["sql"]
    )
    with connection.cursor() as cursor:
        if not seqscan:
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan
