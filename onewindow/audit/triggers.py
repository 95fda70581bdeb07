"""The database triggers that make chained tables append-only and queue their new rows
(docs/rules/audit.md §Z1, §Z2), for SQLite and PostgreSQL.

On every chained table: UPDATE and DELETE (and TRUNCATE on PostgreSQL) are refused by the
database itself, whatever the client (ORM, raw SQL, a database console); each INSERT also writes
an ``audit_pending`` row in the same transaction, which the sealer turns into a chain link. The
chain table ``audit_chain`` is append-only as well. The refusal is an IntegrityError on both
databases (SQLite ``RAISE(ABORT)``, PostgreSQL SQLSTATE 23001).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from onewindow.audit.registry import chained_tables

CHAIN_TABLE = "audit_chain"
REFUSAL = "audit: %s is append-only (docs/rules/audit.md)"

PG_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '{REFUSAL % "%"}', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$""",
    """CREATE OR REPLACE FUNCTION audit_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_pending ("table", row_pk) VALUES (TG_TABLE_NAME, NEW.id);
  RETURN NULL;
END $$""",
]


def install_sql(vendor: str, table: str, *, enqueue: bool = True) -> list[str]:
    """The statements that protect ``table`` (and queue its inserts when ``enqueue``)."""
    if vendor == "postgresql":
        sql = [
            *PG_FUNCTIONS,
            f'CREATE OR REPLACE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse()",
            f'CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()",
        ]
        if enqueue:
            sql.append(
                f'CREATE OR REPLACE TRIGGER audit_enqueue AFTER INSERT ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION audit_enqueue()"
            )
        return sql
    if vendor == "sqlite":
        refusal = REFUSAL % table
        sql = [
            f'CREATE TRIGGER IF NOT EXISTS "audit_{table}_no_{verb.lower()}" BEFORE {verb} '
            f"ON \"{table}\" BEGIN SELECT RAISE(ABORT, '{refusal}'); END"
            for verb in ("UPDATE", "DELETE")
        ]
        if enqueue:
            sql.append(
                f'CREATE TRIGGER IF NOT EXISTS "audit_{table}_enqueue" AFTER INSERT ON "{table}" '
                f"BEGIN INSERT INTO audit_pending (\"table\", row_pk) VALUES ('{table}', NEW.id); "
                "END"
            )
        return sql
    raise NotImplementedError(f"audit triggers for {vendor}")


def drop_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f'DROP TRIGGER IF EXISTS {name} ON "{table}"'
            for name in ("audit_no_change", "audit_no_truncate", "audit_enqueue")
        ]
    return [
        f'DROP TRIGGER IF EXISTS "audit_{table}_{suffix}"'
        for suffix in ("no_update", "no_delete", "enqueue")
    ]


def _tables() -> dict[str, bool]:
    """Every protected table → whether its inserts are queued for chaining."""
    return {CHAIN_TABLE: False, **{table: True for table in chained_tables()}}


def triggers_install(connection: BaseDatabaseWrapper) -> None:
    existing = set(connection.introspection.table_names())
    if "audit_pending" not in existing:  # migrated back before the audit app: nothing to protect
        return
    with connection.cursor() as cursor:
        for table, enqueue in _tables().items():
            if table not in existing:
                continue
            for sql in install_sql(connection.vendor, table, enqueue=enqueue):
                cursor.execute(sql)


def triggers_drop(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for table in _tables():
            for sql in drop_sql(connection.vendor, table):
                cursor.execute(sql)


def triggers_ensure(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_migrate: put back any trigger a table rebuild lost (idempotent)."""
    triggers_install(connections[using])


def triggers_present(connection: BaseDatabaseWrapper) -> dict[str, set[str]]:
    """Table → names of the audit triggers on it, as the database reports them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE 'audit%%' AND NOT t.tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'audit%'"
            )
        found: dict[str, set[str]] = {}
        for table, name in cursor.fetchall():
            found.setdefault(table, set()).add(name)
        return found


@contextmanager
def triggers_suspended(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Drop the triggers for the duration of the block and put them back after it, inside the
    caller's transaction: only the maintenance path (``chain.chain_maintenance``) and the test
    database flush use it."""
    connection = connections[using]
    triggers_drop(connection)
    try:
        yield
    finally:
        triggers_install(connection)
