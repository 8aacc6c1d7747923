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
        connect_timeout=timeout,
        transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout},
    )


_paused_until = 0.0  # monotonic time before which this process does not try to publish


def publish_pause_reset() -> None:
    """Forget an earlier failure (the broker was replaced or is known to be back)."""
    global _paused_until
    _paused_until = 0.0


def task_publish(task, *args) -> bool:
    """Queue `task(*args)`; False (logged) when the broker did not take it in time."""
    global _paused_until
    if celery_app.conf.task_always_eager:
        task.apply(args=args, throw=celery_app.conf.task_eager_propagates)
        return True
    if time.monotonic() < _paused_until:
        logger.info("Broker failed recently; %s%r left for the sweep", task.name, args)
        return False
    connection = broker_connection()
    try:
        with connection:
            task.apply_async(args=args, connection=connection, retry=False)
    except (BrokerUnavailable, *connection.connection_errors, *connection.channel_errors) as exc:
        _paused_until = time.monotonic() + settings.CELERY_PUBLISH_PAUSE_SECONDS
        logger.warning("Broker unavailable (%r); %s%r left for the sweep", exc, task.name, args)
        return False
    return True
