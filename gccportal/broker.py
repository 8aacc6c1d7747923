"""Publishing to the broker from a web request: bounded, never raised.

Tasks are published after the change committed (`transaction.on_commit`); the records they
act on are already safe in the database, and a periodic sweep dispatches whatever was not
published. So a publish that cannot finish fast is abandoned: a broker that refuses
connections, or one that accepts them and never answers (paused, overloaded, a half-open
connection), costs a request at most about twice `CELERY_PUBLISH_TIMEOUT_SECONDS` (connect, then
one socket read), never the request's life.

The worker's long-lived connection keeps the transport options of the settings; publishing
uses its own short-lived connection with these tighter timeouts. After a failed publish, the
process does not try again for `CELERY_PUBLISH_PAUSE_SECONDS`: a request that queues three
emails to a frozen broker waits once, not three times, and the requests after it not at all.
"""

import logging
import time

from django.conf import settings
from kombu.exceptions import OperationalError as BrokerUnavailable

from gccportal.celery import app as celery_app

logger = logging.getLogger(__name__)


def broker_connection(*, timeout: float | None = None):
    """A new connection to the broker whose every wait is bounded by `timeout` seconds."""
    timeout = timeout or settings.CELERY_PUBLISH_TIMEOUT_SECONDS
    return celery_app.connection_for_write(
        connect_timeout=timeout,  # wins over CELERY_BROKER_CONNECTION_TIMEOUT (app.either)
        transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout},
    )


_paused_until = 0.0  # monotonic time before which this process does not try to publish


def publish_pause_reset() -> None:
    """Forget an earlier failure (the broker was replaced or is known to be back)."""
    global _paused_until
    _paused_until = 0.0


def task_publish(task, *args) -> bool:
    """Queue `task(*args)`; False (logged) when the broker did not take it in time."""
    return task_publish_many(task, [args]) == 1


def task_publish_many(task, calls: list[tuple], *, deadline: float | None = None) -> int:
    """Queue `task(*args)` for each args in `calls`, in order, over one connection, within
    `deadline` seconds in all (a web request's `CELERY_PUBLISH_DEADLINE_SECONDS` by
    default; a sweep in a worker allows itself more); returns how many were queued (a failure
    is logged, not raised: the sweeps dispatch the rest). A slow broker pauses publishing
    like a failed one."""
    global _paused_until
    if celery_app.conf.task_always_eager:
        for args in calls:
            task.apply(args=args, throw=celery_app.conf.task_eager_propagates)
        return len(calls)
    if time.monotonic() < _paused_until:
        logger.info("Broker failed recently; %s x%s left for the sweep", task.name, len(calls))
        return 0
    started = time.monotonic()
    deadline = started + (deadline or settings.CELERY_PUBLISH_DEADLINE_SECONDS)
    connection = broker_connection()
    published = 0
    try:
        with connection:
            for args in calls:
                if time.monotonic() > deadline:
                    raise TimeoutError("publish deadline passed")
                task.apply_async(args=args, connection=connection, retry=False)
                published += 1
    except (
        BrokerUnavailable,
        TimeoutError,
        # The filesystem broker (the embedded shape) without its folders.
        OSError,
        *connection.connection_errors,
        *connection.channel_errors,
    ) as exc:
        _paused_until = time.monotonic() + settings.CELERY_PUBLISH_PAUSE_SECONDS
        logger.warning(
            "Broker unavailable (%r); %s x%s left for the sweep",
            exc,
            task.name,
            len(calls) - published,
        )
    return published
