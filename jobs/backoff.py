"""The wait before a retry, for every ledger that retries (the outbox, webhook deliveries)."""

import random


def backoff_seconds(attempts: int, *, base: float, cap: float) -> float:
    """Exponential backoff after the `attempts`-th failed attempt: `base` * 2^(attempts-1),
    at most `cap`, spread by ±20 % so that retries of one outage do not all come at once."""
    delay = min(base * 2 ** max(attempts - 1, 0), cap)
    return delay * random.uniform(0.8, 1.2)  # spreading retries, not a secret
