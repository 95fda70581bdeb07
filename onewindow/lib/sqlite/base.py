"""Django's SQLite backend, with an optional blocking queue for writers instead of SQLite's busy
handler (``SQLITE_WRITE_QUEUE=1``; off by default).

SQLite lets one writer in at a time. A writer that finds the database locked is handled by
SQLite's busy handler (``timeout`` in the connection options), which sleeps and tries again with
growing pauses: 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 ms and then 100 ms per try. Nobody queues:
whoever tries at the moment the lock is free gets it, so under steady write load a writer that
has backed off to 100 ms naps can keep losing to newcomers. With the queue on, every write
transaction (``BEGIN IMMEDIATE``, ``transaction_mode`` in the settings) and every write statement
run outside a transaction first takes an exclusive ``flock`` on ``<database file>.writers``
(through a descriptor of each thread's own, so it excludes every other thread and process) and
holds it until COMMIT or ROLLBACK: waiting writers sleep in the kernel and one of them is woken
the moment the lock is free. The busy handler remains for connections that do not use this
backend (the ``sqlite3`` shell, another program). Reads take no lock: WAL lets them run beside
the writer.

Why off: bench/writers_bench.py on the shared 2-core machine (2026-12-07) gave mixed figures. At
load 6 this queue halved the p99 of submissions at 8 clients (4,224 -> 2,292 ms) and raised
throughput (14.1 -> 16.4/s) but raised the p50 (233 -> 384 ms); at load 12, earlier variants with
a per-process hand-over lock were slower on every figure (a lock handed to a thread that is not
running stalls the rest). It stays available to be measured on an idle machine.
"""

from __future__ import annotations

import fcntl
import os
import threading
from typing import Any

from django.conf import settings
from django.db.backends.sqlite3 import base

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriterQueue:
    """The lock of one database file: an exclusive ``flock`` on ``<file>.writers`` through a
    descriptor of each thread's own (flock excludes other open files, in this process or
    another), so every waiting writer of every process sleeps in the kernel until it is free."""

    def __init__(self, path: str) -> None:
        self.path = f"{path}.writers"
        self.local = threading.local()

    def fd(self) -> int:
        fd: int | None = getattr(self.local, "fd", None)
        if fd is None:
            fd = self.local.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        return fd

    def acquire(self) -> None:
        fcntl.flock(self.fd(), fcntl.LOCK_EX)

    def release(self) -> None:
        fcntl.flock(self.fd(), fcntl.LOCK_UN)


_queues: dict[str, WriterQueue] = {}
_queues_lock = threading.Lock()


def writer_queue(path: str) -> WriterQueue:
    with _queues_lock:
        if path not in _queues:
            _queues[path] = WriterQueue(path)
        return _queues[path]


class DatabaseWrapper(base.DatabaseWrapper):
    """SQLite with the writer queue around write transactions and lone write statements."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue_held = False

    def queue(self) -> WriterQueue | None:
        if not getattr(settings, "SQLITE_WRITE_QUEUE", True) or self.is_in_memory_db():
            return None
        return writer_queue(str(self.settings_dict["NAME"]))

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=QueuedCursor)
        cursor.queue = self.queue()
        return cursor

    def _start_transaction_under_autocommit(self) -> None:
        queue = self.queue()
        if queue is not None and not self.queue_held:
            queue.acquire()
            self.queue_held = True
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._queue_release()
            raise

    def _queue_release(self) -> None:
        if self.queue_held:
            self.queue_held = False
            queue = self.queue()
            if queue is not None:
                queue.release()

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._queue_release()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._queue_release()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._queue_release()


class QueuedCursor(base.SQLiteCursorWrapper):
    """A write statement outside a transaction (autocommit) waits in the queue too."""

    queue: WriterQueue | None = None

    def execute(self, query: str, params: Any = None) -> Any:
        queue = self._lone_write_queue(query)
        if queue is None:
            return super().execute(query, params)
        queue.acquire()
        try:
            return super().execute(query, params)
        finally:
            queue.release()

    def executemany(self, query: str, param_list: Any) -> Any:
        queue = self._lone_write_queue(query)
        if queue is None:
            return super().executemany(query, param_list)
        queue.acquire()
        try:
            return super().executemany(query, param_list)
        finally:
            queue.release()

    def _lone_write_queue(self, query: str) -> WriterQueue | None:
        if self.queue is None or self.connection.in_transaction:
            return None
        return self.queue if query.lstrip()[:7].upper().startswith(WRITES) else None
