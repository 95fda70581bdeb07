"""Background workers' heartbeats: what /healthz reads to tell whether any worker is alive.

docs/operations.md §W6: every worker process (the embedded loop of ``onewindow worker`` and
``onewindow run``, and the task engine's workers) calls ``beat`` every
``WORKER_HEARTBEAT_SECONDS``; /healthz fails when the freshest beat is older than
``WORKER_HEARTBEAT_MAX_AGE``. A beat is one UPDATE of the process's own row (an INSERT the first
time); rows of workers silent for a day are deleted by the next live worker's beat, at most
once an hour per process.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time

from django.db.models import Max

from onewindow.core import clock
from onewindow.core.models import WorkerHeartbeat

PRUNE_AFTER = dt.timedelta(days=1)
PRUNE_EVERY_SECONDS = 3600.0

_registered_pid: int | None = None  # the pid whose row this process has (re)started
_last_prune = 0.0


def beat(engine: str) -> None:
    """Record that this worker process is alive (its own row, keyed by host and pid)."""
    global _registered_pid, _last_prune
    now = clock.now()
    host, pid = socket.gethostname()[:255], os.getpid()
    if _registered_pid != pid:
        # A new process, maybe with the pid of a dead one on this host: its row restarts.
        WorkerHeartbeat.objects.update_or_create(
            host=host, pid=pid, defaults={"engine": engine, "started_at": now, "beat_at": now}
        )
        _registered_pid = pid
    elif not WorkerHeartbeat.objects.filter(host=host, pid=pid).update(
        engine=engine, beat_at=now
    ):  # pruned or deleted meanwhile
        _registered_pid = None
        beat(engine)
        return
    if time.monotonic() - _last_prune >= PRUNE_EVERY_SECONDS or not _last_prune:
        WorkerHeartbeat.objects.filter(beat_at__lt=now - PRUNE_AFTER).delete()
        _last_prune = time.monotonic()


def freshest() -> dt.datetime | None:
    """The time of the most recent beat of any worker, or None when none has beaten."""
    latest: dt.datetime | None = WorkerHeartbeat.objects.aggregate(latest=Max("beat_at"))["latest"]
    return latest
