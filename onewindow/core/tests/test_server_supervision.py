"""``onewindow run`` keeps its background child alive: a killed child is started again, with a
back-off when it keeps dying at once, and ``stop`` ends it for good."""

from __future__ import annotations

import os
import signal
import sys
import time

from onewindow.server import Supervised

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
QUITTER = [sys.executable, "-c", "raise SystemExit(3)"]


def _wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_killed_child_is_started_again():
    supervised = Supervised(SLEEPER, env=os.environ, min_delay=0.1, poll=0.05)
    supervised.start()
    try:
        first = supervised.process
        assert first is not None
        os.kill(first.pid, signal.SIGKILL)
        _wait_for(lambda: supervised.process is not first)
        second = supervised.process
        assert second is not None and second.poll() is None
        assert supervised.restarts == 1
    finally:
        supervised.stop()
    assert second.poll() is not None  # stop ended the child for good
    time.sleep(0.3)
    assert supervised.process is second and supervised.restarts == 1  # and nothing restarted it


def test_a_child_that_keeps_dying_waits_longer_each_time_up_to_the_maximum():
    supervised = Supervised(
        QUITTER, env=os.environ, min_delay=0.05, max_delay=0.2, healthy_after=60, poll=0.02
    )
    supervised.start()
    try:
        _wait_for(lambda: supervised.restarts >= 5)
    finally:
        supervised.stop()
    assert supervised.delays[:5] == [0.05, 0.1, 0.2, 0.2, 0.2]


def test_a_child_that_ran_long_enough_restarts_after_the_shortest_wait():
    step = [0.0]  # how far the fake clock moves at each reading
    now = [0.0]

    def clock() -> float:
        now[0] += step[0]
        return now[0]

    supervised = Supervised(
        QUITTER,
        env=os.environ,
        min_delay=0.05,
        max_delay=10,
        healthy_after=5,
        poll=0.02,
        clock=clock,
    )
    supervised.start()
    try:
        _wait_for(lambda: supervised.restarts >= 3)
        assert supervised.delays[:3] == [0.05, 0.1, 0.2]
        step[0] = 100.0  # every child from now on looks as if it ran for 100 s
        _wait_for(lambda: supervised.restarts >= 6)
    finally:
        supervised.stop()
    assert supervised.delays[4:6] == [0.05, 0.05]


def test_a_child_that_dies_once_the_server_is_stopping_is_not_started_again():
    # The master's SIGTERM handler calls ``stopping``; a process-group SIGTERM ends the child too.
    supervised = Supervised(SLEEPER, env=os.environ, min_delay=0.05, poll=0.02)
    supervised.start()
    try:
        first = supervised.process
        assert first is not None
        supervised.stopping()
        os.kill(first.pid, signal.SIGTERM)
        first.wait(timeout=10)
        time.sleep(0.3)
        assert supervised.process is first and supervised.restarts == 0
    finally:
        supervised.stop()
