"""Callers of one service at the same moment, made to overlap, and proof that they did.

Starting two threads together proves nothing: the first may commit before the second has
begun, and the test passes without a race. `Race` runs each call in its own thread (its own
database connection and transaction), released together. The test puts `race.hold()` inside
the critical section, in a function the service calls once it holds its lock (a row lock, a
freshly inserted unique key): the first caller to get there stays there until PostgreSQL
shows every other caller blocked by its transaction, then goes on. `race.waited` lists the
callers seen blocked, so the test can assert that the loser really waited for the winner.
"""

import threading
from collections.abc import Callable

from django.db import connection

from tests.helpers import wait_for


def backend_pid() -> int:
    """This thread's PostgreSQL session (each thread has its own connection)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def blocking_pids(pid: int) -> set[int]:
    """The sessions whose locks session `pid` is waiting for, read live from PostgreSQL's
    lock manager (not from pg_stat_activity, which a transaction sees as a snapshot)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_blocking_pids(%s)", [pid])
        return set(cursor.fetchone()[0])


class Race:
    def __init__(self, *, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self.pids: list[int | None] = []
        self.holder: int | None = None  # the caller that reached `hold` first
        self.waited: list[int] = []  # the callers seen blocked by the holder
        self._mutex = threading.Lock()
        self._local = threading.local()

    @property
    def index(self) -> int:
        """Which call this thread runs (for hooks that record something per caller)."""
        return self._local.index

    def hold(self) -> None:
        """Inside the critical section: the first caller here waits until every other caller
        is blocked by its transaction; later callers (and later calls) go straight on."""
        with self._mutex:
            if self.holder is not None:
                return
            self.holder = self.index
        holder_pid = self.pids[self.holder]
        others = [index for index in range(len(self.pids)) if index != self.holder]
        try:
            wait_for(
                lambda: all(holder_pid in blocking_pids(self.pids[i]) for i in others),
                timeout=self.timeout,
                interval=0.01,
                what="the other callers to wait for the holder's lock",
            )
        except AssertionError:
            return  # not seen waiting: `waited` stays empty and the test says so
        self.waited = others

    def hold_after(self, monkeypatch, owner, name: str) -> None:
        """Make `owner.name`, a function the service calls inside its critical section,
        `hold` once it has returned."""
        real = getattr(owner, name)

        def call_then_hold(*args, **kwargs):
            result = real(*args, **kwargs)
            self.hold()
            return result

        monkeypatch.setattr(owner, name, call_then_hold)

    def run(self, calls: list[Callable[[], object]]) -> list:
        """Run `calls` at once, each in its own thread; the result or exception of each."""
        count = len(calls)
        self.pids = [None] * count
        outcomes: list = [None] * count
        # Every session is open (its pid known to `hold`) before any call starts.
        start = threading.Barrier(count)

        def work(index: int) -> None:
            self._local.index = index
            try:
                self.pids[index] = backend_pid()
                start.wait(timeout=self.timeout)
                outcomes[index] = calls[index]()
            except Exception as exc:
                outcomes[index] = exc
            finally:
                connection.close()

        threads = [threading.Thread(target=work, args=(index,)) for index in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=3 * self.timeout)
        assert not any(thread.is_alive() for thread in threads)
        return outcomes
