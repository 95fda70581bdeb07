"""The SQLite writer queue (onewindow/lib/sqlite/base.py, SQLITE_WRITE_QUEUE=1): one writer at a
time across threads and processes, for the whole transaction; lone autocommit writes wait too."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from onewindow.lib.sqlite.base import DatabaseWrapper, writer_queue


def test_the_queue_keeps_other_processes_out_until_released(tmp_path: Path) -> None:
    queue = writer_queue(str(tmp_path / "db.sqlite3"))
    probe = (
        "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR)\n"
        "try: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "except BlockingIOError: sys.exit(3)\n"
    )
    queue.acquire()
    try:
        held = subprocess.run([sys.executable, "-c", probe, queue.path], timeout=30)
    finally:
        queue.release()
    free = subprocess.run([sys.executable, "-c", probe, queue.path], timeout=30)
    assert (held.returncode, free.returncode) == (3, 0)


@pytest.fixture
def wrapper(tmp_path: Path, django_db_blocker: Any, settings: Any) -> Any:
    """A connection of our backend to a database file of its own (not the test database), with
    the queue on."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backend")
    settings.SQLITE_WRITE_QUEUE = True
    settings_dict = {**connection.settings_dict, "NAME": str(tmp_path / "q.sqlite3")}
    with django_db_blocker.unblock():
        db = DatabaseWrapper(settings_dict, alias="queue_test")
        db.ensure_connection()
        with db.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x integer)")
        yield db
        db.close()


@pytest.mark.parametrize("end", ["commit", "rollback"])
def test_a_transaction_holds_the_queue_until_it_ends(wrapper: Any, end: str) -> None:
    queue = writer_queue(str(wrapper.settings_dict["NAME"]))
    wrapper.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    assert wrapper.queue_held
    with pytest.raises(BlockingIOError):  # the process lock is taken too
        fd = os.open(queue.path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    getattr(wrapper, end)()
    wrapper.set_autocommit(True)
    assert not wrapper.queue_held
    fd = os.open(queue.path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again
    finally:
        os.close(fd)


def test_a_lone_write_waits_for_the_transaction_in_progress(wrapper: Any) -> None:
    done: list[float] = []

    def lone_insert() -> None:
        # A busy handler that gives up after 50 ms: the insert only succeeds if it waited in
        # the queue rather than in SQLite's busy handler.
        options = {"timeout": 0.05, "init_command": "PRAGMA busy_timeout=50;"}
        other = DatabaseWrapper({**wrapper.settings_dict, "OPTIONS": options}, alias="queue_test_2")
        with other.cursor() as cursor:
            cursor.execute("INSERT INTO t (x) VALUES (2)")
        done.append(time.monotonic())
        other.close()

    wrapper.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with wrapper.cursor() as cursor:
        cursor.execute("INSERT INTO t (x) VALUES (1)")
    thread = threading.Thread(target=lone_insert)
    thread.start()
    time.sleep(0.3)
    assert not done  # waiting
    committed = time.monotonic()
    wrapper.commit()
    wrapper.set_autocommit(True)
    thread.join(10)
    assert done and done[0] >= committed
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT x FROM t ORDER BY x")
        assert cursor.fetchall() == [(1,), (2,)]


def test_the_queue_can_be_turned_off(wrapper: Any, settings: Any) -> None:
    settings.SQLITE_WRITE_QUEUE = False
    assert wrapper.queue() is None
