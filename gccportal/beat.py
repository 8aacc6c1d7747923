"""Celery beat's scheduler, writing a heartbeat its container healthcheck reads.

`celery beat` has no endpoint to probe; a beat process stuck or dead stops every sweep (the
outbox's safety net, SLA reminders) silently. On every tick (at least every
`beat_max_loop_interval` seconds) it rewrites `BEAT_HEARTBEAT_FILE`;
`python -m gccportal.healthcheck beat` fails once the time written in it is a few ticks old.
"""

import os
import time
from pathlib import Path

from celery.beat import PersistentScheduler
from django.conf import settings


def heartbeat_write(path: str | os.PathLike, *, at: float | None = None) -> None:
    """Write the time of this tick (`at`, default now) for the healthcheck to read."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename: a reader never sees a half-written file.
    partial = path.with_name(path.name + ".partial")
    partial.write_text(f"{time.time() if at is None else at}\n")
    partial.replace(path)


class HeartbeatScheduler(PersistentScheduler):
    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        heartbeat_write(settings.BEAT_HEARTBEAT_FILE)
        return interval
