"""Chained tables are append-only (docs/rules/audit.md §Z1): the ORM refuses in words, the
database refuses whatever the client, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from onewindow.audit.append_only import AppendOnlyError
from onewindow.audit.chain import chain_seal_all
from onewindow.audit.registry import chained_tables
from onewindow.audit.tests.helpers import TABLE, case_with_events, sql
from onewindow.audit.triggers import CHAIN_TABLE, triggers_present
from onewindow.cases.models import CaseEvent


def test_the_orm_refuses_to_change_or_delete_an_event(world):
    case = case_with_events(world)
    event = case.events.order_by("pk").first()
    assert event is not None
    event.reason = "改了"
    with pytest.raises(AppendOnlyError, match="只能追加"):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.filter(pk=event.pk).update(reason="改了")
    with pytest.raises(AppendOnlyError):
        case.events.all().delete()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        case.delete()  # the cascade bypasses the queryset: the database refuses it
    event.refresh_from_db()
    assert event.reason != "改了" and CaseEvent.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    "statement",
    [f"UPDATE {TABLE} SET reason = 'x'", f"DELETE FROM {TABLE}"],
    ids=["update", "delete"],
)
def test_the_database_refuses_raw_update_and_delete_of_events(world, statement):
    case_with_events(world)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        sql(statement)
    assert CaseEvent.objects.exclude(reason="x").count() == CaseEvent.objects.count() > 0


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_chain SET hash = 'x'", "DELETE FROM audit_chain"],
    ids=["update", "delete"],
)
def test_the_database_refuses_raw_changes_to_the_chain(world, statement):
    case_with_events(world)
    assert chain_seal_all() > 0
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        sql(statement)


def test_postgresql_refuses_truncate(world):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    case_with_events(world)
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own inserts leave deferred checks pending
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        sql(f"TRUNCATE {TABLE} CASCADE")


def test_every_chained_table_and_the_chain_carry_their_triggers(db):
    present = triggers_present(connection)
    for table in chained_tables():  # refuse update, refuse delete (or truncate), queue inserts
        assert len(present.get(table, set())) == 3, table
    assert len(present.get(CHAIN_TABLE, set())) == 2
    assert set(present) == {CHAIN_TABLE, *chained_tables()}
