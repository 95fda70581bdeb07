"""``ChainTable``: the migration operation that makes a table append-only and chained
(docs/rules/audit.md §Z1). The SQL is the vendor's (``onewindow.audit.triggers``)."""

from __future__ import annotations

from typing import Any

from django.db.migrations.operations.base import Operation

from onewindow.audit.triggers import drop_sql, install_sql


class ChainTable(Operation):
    """Install the audit triggers on ``table`` (reversible: drops them)."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str, *, enqueue: bool = True) -> None:
        self.table = table
        self.enqueue = enqueue

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__name__, [self.table], {"enqueue": self.enqueue})

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        for sql in install_sql(schema_editor.connection.vendor, self.table, enqueue=self.enqueue):
            schema_editor.execute(sql, params=None)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        for sql in drop_sql(schema_editor.connection.vendor, self.table):
            schema_editor.execute(sql, params=None)

    def describe(self) -> str:
        return f"Audit triggers on {self.table}"
