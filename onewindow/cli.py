"""The ``onewindow`` command: the operational entry point.

Sub-commands live next to the code they drive; this module only dispatches:
``run`` (onewindow.server), ``demo`` (onewindow.catalog.demo), ``calendar``
(onewindow.calendars.cli), ``worker`` (the background loop alone), ``supervise`` (one
supervision sweep, onewindow.supervision.cli), ``unlock`` (lift a sign-in lockout,
onewindow.accounts.cli), ``env`` (list settings).
Exit status 2 means bad arguments, as argparse does.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence


class CommandFailed(Exception):
    """A command cannot run; the message says in one line why and what to do (exit 1)."""


def setup_django() -> None:
    """Configure Django and bring the database up to date (commands call it before any query)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    ensure_database()


def ensure_database() -> None:
    """Apply pending migrations, so every command works on a fresh data directory (issue 10
    item 14: ``calendar due`` on a fresh install printed a traceback). Migrating is what
    ``onewindow run`` does anyway; an unreachable database is one line, not a traceback."""
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
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CommandFailed(
            f"无法使用数据库，请检查 DATABASE_URL 或 ONEWINDOW_DATA_DIR "
            f"(cannot use the database: {first_line})"
        ) from exc


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse that says what was wrong in Chinese first, then exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"参数错误 (invalid arguments): {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from onewindow import server
    from onewindow.accounts import cli as accounts_cli
    from onewindow.calendars import cli as calendar_cli
    from onewindow.catalog import demo
    from onewindow.supervision import cli as supervision_cli

    parser = ChineseArgumentParser(prog="onewindow", description="OneWindow 一窗通办")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=ChineseArgumentParser)
    server.add_parsers(sub)
    demo.add_parser(sub)
    calendar_cli.add_parser(sub)
    supervision_cli.add_parser(sub)
    accounts_cli.add_parser(sub)
    env_parser = sub.add_parser("env", help="list the environment variables OneWindow reads")
    env_parser.set_defaults(func=_print_env)
    return parser


def _print_env(args: argparse.Namespace) -> int:
    from onewindow.env import VARIABLES

    print("| variable | default | meaning |\n|---|---|---|")
    for var in VARIABLES:
        print(f"| `{var.name}` | `{var.default}` | {var.help} |")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except CommandFailed as exc:
        print(f"错误 (error): {exc}", file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    # Run the imported module's main, so ``CommandFailed`` raised by sub-commands (which import
    # ``onewindow.cli``) is the class ``main`` catches, not a copy in ``__main__``.
    from onewindow.cli import main as imported_main

    sys.exit(imported_main())
