"""The ``onewindow`` command: the operational entry point.

Sub-commands live next to the code they drive; this module only dispatches:
``run``, ``web``, ``worker`` and ``migrate`` (onewindow.server), ``demo`` (onewindow.demo.cli),
``calendar`` (onewindow.calendars.cli), ``supervise`` (one supervision sweep,
onewindow.supervision.cli), ``stats rebuild`` (recount the statistics rollups, onewindow.stats.cli),
``integrity`` (duplicates and half-written cases, onewindow.stats.integrity), ``unlock`` (lift a
sign-in lockout) and ``create-admin`` (the three administrators, onewindow.accounts.cli), ``audit`` (verify / head / seal / export-head,
onewindow.audit.cli), ``backup`` and ``restore`` (onewindow.backup.cli), ``env`` (list settings).
Exit status 2 means bad arguments, as argparse does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from onewindow.core.commands import CommandFailed
from onewindow.env import ConfigError


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse that says what was wrong in Chinese first, then exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"参数错误 (invalid arguments): {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from onewindow import server
    from onewindow.accounts import cli as accounts_cli
    from onewindow.audit import cli as audit_cli
    from onewindow.backup import cli as backup_cli
    from onewindow.calendars import cli as calendar_cli
    from onewindow.demo import cli as demo_cli
    from onewindow.privacy import cli as privacy_cli
    from onewindow.stats import cli as stats_cli
    from onewindow.supervision import cli as supervision_cli

    parser = ChineseArgumentParser(prog="onewindow", description="OneWindow 一窗通办")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=ChineseArgumentParser)
    server.add_parsers(sub)
    demo_cli.add_parser(sub)
    calendar_cli.add_parser(sub)
    supervision_cli.add_parser(sub)
    accounts_cli.add_parser(sub)
    stats_cli.add_parser(sub)
    audit_cli.add_parser(sub)
    backup_cli.add_parsers(sub)
    privacy_cli.add_parser(sub)
    stats_cli.add_integrity_parser(sub)
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
    except ConfigError as exc:  # a setting read at start-up has a value we cannot use
        print(f"配置错误 (configuration error): {exc}", file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
