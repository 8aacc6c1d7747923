"""Publishing to the broker from a web request: bounded, never raised.

Tasks are published after the change committed (`transaction.on_commit`); the records they
act on are already safe in the database, and a periodic sweep dispatches whatever was not
published. So a publish that cannot finish fast is abandoned: a broker that refuses
connections, or one that accepts them and never answers (paused, overloaded, a half-open
connection), costs a request at most about twice `CELERY_PUBLISH_TIMEOUT_SECONDS` (connect, then
one socket read), never the request's life.

The worker's long-lived connection keeps the transport options of the settings; publishing
uses its own connection with these tighter timeouts, kept open by each thread for the next
publish (a new connection costs a request about 4 ms, a publish on an open one 0.5 ms): one
that broke meanwhile (the broker restarted) is replaced once at once. After a failed
publish, the process does not try again for `CELERY_PUBLISH_PAUSE_SECONDS`: a request that
queues three emails to a frozen broker waits once, not three times, and the requests after it
not at all.
"""

import contextlib
import logging
import threading
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


_kept = threading.local()  # this thread's publishing connection: (its key, the connection)


def publish_pause_reset() -> None:
    """Forget an earlier failure (the broker was replaced or is known to be back)."""
    global _paused_until
    _paused_until = 0.0
    _kept_connection_drop()


def _kept_connection():
    """(this thread's open publishing connection, whether it was open before): a new one when
    there is none, or when the broker or the timeout changed since."""
    key = (celery_app.conf.broker_url, settings.CELERY_PUBLISH_TIMEOUT_SECONDS)
    kept = getattr(_kept, "connection", None)
    if kept is not None and kept[0] == key:
        return kept[1], True
    _kept_connection_drop()
    connection = broker_connection()
    _kept.connection = (key, connection)
    return connection, False


def _kept_connection_drop() -> None:
    kept = getattr(_kept, "connection", None)
    _kept.connection = None
    if kept is not None:
        with contextlib.suppress(Exception):
            kept[1].release()


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
    published = 0
    for attempt in (1, 2):
        connection, reused = _kept_connection()
        attempt_started = time.monotonic()
        try:
            for args in calls[published:]:
                if time.monotonic() > deadline:
                    raise TimeoutError("publish deadline passed")
                task.apply_async(args=args, connection=connection, retry=False)
                published += 1
            return published
        except (
            BrokerUnavailable,
            TimeoutError,
            # The filesystem broker (the embedded shape) without its folders.
            OSError,
            *connection.connection_errors,
            *connection.channel_errors,
        ) as exc:
            _kept_connection_drop()
            # An open connection that broke meanwhile (the broker restarted) fails at once:
            # once more, on a new one. One that waited (a frozen broker) is not tried again.
            failed_at_once = (
                time.monotonic() - attempt_started < settings.CELERY_PUBLISH_TIMEOUT_SECONDS / 2
            )
            if attempt == 1 and reused and failed_at_once:
                continue
            _paused_until = time.monotonic() + settings.CELERY_PUBLISH_PAUSE_SECONDS
            logger.warning(
                "Broker unavailable (%r); %s x%s left for the sweep",
                exc,
                task.name,
                len(calls) - published,
            )
            return published
    return published
