"""Many writers at once, and sealers racing each other, still make one chain
(docs/rules/audit.md §Z2): real threads, real transactions, on PostgreSQL and a SQLite file."""

from __future__ import annotations

import threading
from typing import Any, cast

import pytest
from django.db import connection, transaction

from onewindow.audit.chain import chain_seal, chain_seal_all, chain_verify
from onewindow.audit.models import ChainLink, PendingRow
from onewindow.audit.tests.helpers import TABLE, case_with_events, note
from onewindow.cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WRITERS = 4  # and two sealers
EVENTS_EACH = 15


@pytest.fixture(autouse=True)
def _real_database_file() -> None:
    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        pytest.skip("SQLite in-memory test database: set SQLITE_TEST_NAME to a file path")


def test_concurrent_writers_and_two_sealers_keep_one_unforked_chain(world):
    case_id = case_with_events(world).pk
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS + 2)
    writing = threading.Event()
    writing.set()

    def writer(n: int) -> None:
        try:
            case = Case.objects.get(pk=case_id)
            start.wait(timeout=30)
            for i in range(EVENTS_EACH):
                with transaction.atomic():
                    note(case, f"writer {n} event {i}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def sealer() -> None:
        try:
            start.wait(timeout=30)
            while writing.is_set():
                chain_seal(limit=7)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    sealers = [threading.Thread(target=sealer) for _ in range(2)]
    for thread in writers + sealers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    writing.clear()
    for thread in sealers:
        thread.join(timeout=120)
    assert not errors, errors
    chain_seal_all()
    events = CaseEvent.objects.count()
    assert events >= WRITERS * EVENTS_EACH
    seqs = list(ChainLink.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # no gap, no fork
    rows = list(ChainLink.objects.filter(table=TABLE).values_list("row_pk", flat=True))
    assert sorted(rows) == sorted(CaseEvent.objects.values_list("pk", flat=True))  # each once
    assert not PendingRow.objects.exists()
    report = chain_verify()
    assert report.ok and report.links == len(seqs)
