"""Two kiosks taking tickets at the same moment, with real threads and real transactions, never
get the same number (docs/rules/hall.md §J11); two windows calling at once never call the same
ticket (J12). Runs on SQLite with a database file (SQLITE_TEST_NAME) and on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, cast

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from onewindow.queue import services
from onewindow.queue.models import Ticket, TicketSource
from onewindow.queue.services import IssueRequest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _real_database_file() -> None:
    # As in onewindow/cases/tests/test_intake_concurrency.py: the in-memory test database's
    # shared cache fails table locks at once instead of waiting, unlike the app's WAL file.
    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        pytest.skip("SQLite in-memory test database: set SQLITE_TEST_NAME to a file path")


def _race(count: int, run: Callable[[int], Any]) -> list[Any]:
    results: list[Any] = [None] * count
    start = threading.Barrier(count)

    def go(i: int) -> None:
        try:
            start.wait(timeout=10)
            results[i] = run(i)
        except BaseException as exc:  # surfaced by the assertions below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_kiosks_at_the_same_moment_never_get_the_same_number(hall):
    url = reverse("queue:kiosk")
    per_kiosk = 8

    def kiosk(i: int) -> list[int]:
        client = Client()
        codes = []
        for n in range(per_kiosk):
            # the two kiosks alternate categories and classes, so the counters of A and V are
            # both contended
            data = {"line": hall.line_a.pk, "priority": "elderly" if (n + i) % 3 == 0 else ""}
            codes.append(client.post(url, data).status_code)
        return codes

    results = _race(2, kiosk)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert all(code == 302 for codes in results for code in codes), results
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(numbers) == 2 * per_kiosk == len(set(numbers))
    by_prefix: dict[str, list[int]] = {}
    for ticket in Ticket.objects.all():
        by_prefix.setdefault(ticket.prefix, []).append(ticket.seq)
    # no gaps either: each letter counts 1, 2, 3…
    assert all(sorted(seqs) == list(range(1, len(seqs) + 1)) for seqs in by_prefix.values())


def test_two_windows_calling_at_once_never_call_the_same_ticket(hall):
    for _ in range(3):
        services.issue(IssueRequest(line_id=hall.line_a.pk), source=TicketSource.KIOSK)
    pairs = [(hall.a01, hall.p.clerk), (hall.a02, hall.clerk_a2)]
    results = _race(2, lambda i: services.call_next(*pairs[i]).pk)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert len(set(results)) == 2
