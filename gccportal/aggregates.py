"""Aggregates Django lacks: the continuous percentile (the SLA page's median and p90)."""

import math

from django.db.models import Aggregate, FloatField


class PercentileCont(Aggregate):
    """The continuous percentile `fraction` (0.5: the median) of an expression's non-null
    values, interpolated linearly between the two nearest (SQL's percentile_cont); NULL when
    there is none. Takes `filter=` like any aggregate.

    PostgreSQL: `percentile_cont(f) WITHIN GROUP (ORDER BY x)`. SQLite (the embedded mode) has
    no such function: the same computation is registered on the connection as an aggregate of
    its own (`gcc_percentile_cont(f, x)`, PercentileContSQLite).
    """

    function = "percentile_cont"
    name = "PercentileCont"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, fraction: float, **extra) -> None:
        fraction = float(fraction)
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        # A number written into the SQL (never a user's input): repr of a float is a literal.
        super().__init__(expression, fraction=repr(fraction), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        # Registered on each new connection the first time it is needed (the call is cheap
        # and replaces the same definition).
        connection.connection.create_aggregate(
            PercentileContSQLite.sql_name, 2, PercentileContSQLite
        )
        # On a copy, not through extra_context: Aggregate.as_sql passes its own `template`
        # along with the caller's when it adds a FILTER clause.
        sqlite = self.copy()
        sqlite.function = PercentileContSQLite.sql_name
        sqlite.template = "%(function)s(%(fraction)s, %(expressions)s)"
        return sqlite.as_sql(compiler, connection, **extra_context)


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """percentile_cont of `values` (sorted here): the value at position fraction * (n - 1),
    interpolated between its neighbours; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


class PercentileContSQLite:
    """SQLite's aggregate for PercentileCont: step(fraction, value) for each row."""

    sql_name = "gcc_percentile_cont"

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, fraction, value) -> None:
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return percentile_cont(self.values, self.fraction)
