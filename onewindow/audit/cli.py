"""``onewindow audit``: verify the audit chain, print or export its head, seal the queue
(docs/rules/audit.md §Z4, §Z5). ``verify`` exits 1 at the first broken link."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "audit", help="audit chain: verify it, print or export its head, seal queued rows"
    )
    actions = parser.add_subparsers(dest="action", required=True)
    verify = actions.add_parser(
        "verify", help="check every link; exit 1 and name the first broken one"
    )
    verify.add_argument(
        "--heads", type=Path, metavar="DIR", help="also check the heads exported into DIR"
    )
    verify.add_argument(
        "--no-seal", action="store_true", help="do not seal queued rows first (read only)"
    )
    actions.add_parser("head", help="print the current head (seq, hash) and the unsealed count")
    actions.add_parser("seal", help="chain every queued row now")
    export = actions.add_parser("export-head", help="append the head to today's heads file")
    export.add_argument("--dir", type=Path, help="directory (default AUDIT_HEAD_DIR)")
    parser.set_defaults(func=audit_command)


def audit_command(args: argparse.Namespace) -> int:
    from onewindow.core.commands import setup_django

    setup_django()
    from django.conf import settings

    from onewindow.audit import chain
    from onewindow.core.commands import CommandFailed

    if args.action == "seal":
        print(f"已封链 {chain.chain_seal_all()} 条记录 (rows sealed).")
        return 0
    if args.action == "head":
        return _print_head(chain)
    if args.action == "export-head":
        chain.chain_seal_all()
        path = chain.heads_export(args.dir or settings.AUDIT_HEAD_DIR)
        print(f"链头已写入 {path} (head exported)." if path else "审计链为空，无链头可导出。")
        return 0
    if not args.no_seal:
        chain.chain_seal_all()
    try:
        report = chain.chain_verify(heads_dir=args.heads)
    except chain.HeadsError as exc:
        raise CommandFailed(str(exc)) from exc
    return _print_report(report)


def _print_head(chain: Any) -> int:
    head = chain.chain_head()
    pending = chain.PendingRow.objects.count()
    if head is None:
        print(f"审计链为空；待封链 {pending} 条。")
    else:
        print(
            f"链头 (head)：序号 {head.seq}  哈希 {head.hash}  封链时间 {head.sealed_at:%Y-%m-%d %H:%M:%S}"
        )
        print(f"待封链 (unsealed)：{pending} 条")
    return 0


def _print_report(report: Any) -> int:
    for restart in report.restarts:
        print(
            f"注意：审计链于 {restart.get('at', '')} 经维护重启（序号 {restart['seq']}，"
            f"原因：{restart.get('reason', '')}；原链头 {restart.get('old_seq')} "
            f"{restart.get('old_hash')}）。"
        )
    if report.first_break is not None:
        b = report.first_break
        print(f"审计链校验失败 (audit chain broken)：{b.reason}")
        print(f"  数据表 (table)：{b.table}  记录 (id)：{b.row_pk}  链序号 (seq)：{b.seq}")
        print(f"  应为 (expected)：{b.expected or '-'}")
        print(f"  实为 (found)：   {b.found or '-'}")
        print(f"  此前 {report.links} 个节点校验通过。")
        return 1
    print(
        f"审计链完整 (audit chain intact)：{report.links} 个节点，链头序号 {report.head_seq}，"
        f"哈希 {report.head_hash}；待封链 {report.pending} 条（未校验）。"
    )
    if report.heads_checked or report.heads_before_restart:
        print(
            f"与导出链头核对一致：{report.heads_checked} 条"
            + (
                f"；{report.heads_before_restart} 条早于维护重启，无法核对"
                if report.heads_before_restart
                else ""
            )
            + "。"
        )
    return 0
