"""Django's SQLite backend, with writers queued on a blocking lock instead of SQLite's busy handler.

SQLite lets one writer in at a time. A writer that finds the database locked is handled by
SQLite's busy handler (``timeout`` in the connection options), which sleeps and tries again with
growing pauses: 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 ms and then 100 ms per try. Nobody queues:
whoever tries at the moment the lock is free gets it, so under steady write load a writer that
has backed off to 100 ms naps keeps losing to newcomers and waits many transactions' worth —
the 1.4 s p99 of a submission at 8 clients (bench/writers_bench.py measures it with and without
this queue). Here every write transaction (``BEGIN IMMEDIATE``, ``transaction_mode`` in the settings) and
every write statement run outside a transaction first takes, in this order,

- a lock shared by the threads of this process, handed on in arrival order (``FifoLock``), then
- an exclusive ``flock`` on ``<database file>.writers`` shared by the processes (the gunicorn
  workers, the worker loop, management commands),

and holds both until COMMIT or ROLLBACK. Both block in the kernel and wake the next waiter at
once, so writers go in turn and nobody naps past a free lock; the busy handler remains as a
fallback for connections that do not use this backend (the ``sqlite3`` shell, another program).
``SQLITE_WRITE_QUEUE=0`` turns the queue off (for measuring it against the busy handler).
Reads take no lock: WAL lets them run beside the writer.
"""

from __future__ import annotations

import collections
import fcntl
import os
import threading
from typing import Any

from django.conf import settings
from django.db.backends.sqlite3 import base

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class FifoLock:
    """A lock handed to its waiters in the order they came: ``release`` passes it on directly,
    so a thread that has just released it cannot take it again ahead of one already waiting
    (``threading.Lock`` lets whoever runs first take it)."""

    def __init__(self) -> None:
        self.guard = threading.Lock()
        self.waiters: collections.deque[threading.Lock] = collections.deque()
        self.held = False

    def acquire(self) -> None:
        with self.guard:
            if not self.held:
                self.held = True
                return
            turn = threading.Lock()
            turn.acquire()
            self.waiters.append(turn)
        turn.acquire()  # released by ``release`` when it is this thread's turn

    def release(self) -> None:
        with self.guard:
            if self.waiters:
                self.waiters.popleft().release()  # still held: now by the next in line
            else:
                self.held = False


class WriterQueue:
    """The two locks of one database file: this process's threads, then the processes."""

    def __init__(self, path: str) -> None:
        self.path = f"{path}.writers"
        self.threads = FifoLock()
        self.fd = -1

    def acquire(self) -> None:
        self.threads.acquire()
        try:
            if self.fd < 0:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except BaseException:
            self.threads.release()
            raise

    def release(self) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.threads.release()


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
