"""What every command-line entry point needs before it touches the database.

Sub-commands live next to the code they drive (``calendars/cli.py``, ``accounts/cli.py``…) and
call ``setup_django`` first; ``onewindow/cli.py`` only dispatches and turns ``CommandFailed``
into one line and exit status 1. Nothing here imports an app, so every layer may use it.
"""

from __future__ import annotations

import os
import sys


class CommandFailed(Exception):
    """A command cannot run; the message says in one line why and what to do (exit 1)."""


def setup_django(*, migrate: bool = True) -> None:
    """Configure Django and bring the database up to date (commands call it before any query).
    ``migrate=False``: only configure (``onewindow web`` never migrates, docs/operations.md §W8)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    if migrate:
        ensure_database()


def unapplied_migrations() -> list[str]:
    """``app.name`` of every migration the database still lacks (an unreachable database is
    ``CommandFailed``)."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise _database_failed(exc) from exc
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def _database_failed(exc: Exception) -> CommandFailed:
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return CommandFailed(
        f"无法使用数据库，请检查 DATABASE_URL 或 ONEWINDOW_DATA_DIR "
        f"(cannot use the database: {first_line})"
    )


def ensure_database() -> None:
    """Apply pending migrations, so every command works on a fresh data directory
    (docs/decisions.md §O1: ``calendar due`` on a fresh install printed a traceback). Migrating
    is what ``onewindow run`` does anyway; an unreachable database is one line, not a
    traceback."""
    from django.core.management import call_command
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            print(
                f"正在迁移数据库：{len(plan)} 个迁移… (migrating the database: {len(plan)} steps)",
                file=sys.stderr,
            )
            call_command("migrate", interactive=False, verbosity=0)
    except DatabaseError as exc:
        raise _database_failed(exc) from exc
