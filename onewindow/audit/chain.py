"""Sealing and verifying the audit chain (docs/rules/audit.md §Z2–§Z6).

A chained row is written by its own service as before; the insert trigger queues it
(``audit_pending``). The sealer takes the queue in one transaction under one lock and appends a
link per row: hash = SM3(prev_hash ‖ canonical content). The chain's order is the order of
sealing, so concurrent writers never fork it and pay no lock of their own (docs/rules/audit.md §Z2).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction

from onewindow.audit.models import GENESIS, RESTART, ChainLink, PendingRow
from onewindow.audit.registry import chained_tables
from onewindow.audit.triggers import triggers_suspended
from onewindow.core import clock
from onewindow.lib.sm3 import sm3_hex

SEAL_BATCH = 2000
LOCK_KEY = 0x6F77_6175_6469_74  # "owaudit": the PostgreSQL advisory lock of the sealer
VERIFY_BATCH = 2000


# --- content ------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """A column value as canonical JSON: times in UTC ISO 8601, decimals as strings."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _columns(model: type[models.Model]) -> list[str]:
    return sorted(f.attname for f in model._meta.concrete_fields)


def canonical(table: str, row: dict[str, Any]) -> bytes:
    """The canonical serialisation of one row (docs/rules/audit.md §Z3): its table and every column, sorted keys,
    UTF-8 JSON without spaces. Any change to any stored column changes it."""
    body = {"table": table, "row": {name: _plain(value) for name, value in row.items()}}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def link_hash(prev_hash: str, content: bytes) -> str:
    """hash = SM3(prev_hash ‖ content), prev_hash as its 64 hex characters (docs/rules/audit.md §Z3)."""
    return sm3_hex(prev_hash.encode("ascii") + content)


def rows_content(table: str, pks: Iterable[int]) -> dict[int, bytes]:
    """The canonical content of the rows ``pks`` of a chained ``table`` (missing rows absent)."""
    model = chained_tables()[table]
    pk_name = model._meta.pk.attname
    found: dict[int, bytes] = {}
    wanted = list(pks)
    for start in range(0, len(wanted), 900):  # SQLite binds at most 999 parameters
        chunk = wanted[start : start + 900]
        for row in model._base_manager.filter(pk__in=chunk).values(*_columns(model)):
            found[row[pk_name]] = canonical(table, row)
    return found


def restart_content(note: dict[str, Any]) -> bytes:
    return json.dumps(
        {"table": RESTART, "note": note}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()


# --- sealing ------------------------------------------------------------------------------------
def _lock() -> None:
    """One sealer at a time. SQLite: the IMMEDIATE transaction already holds the write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def chain_head() -> ChainLink | None:
    return ChainLink.objects.order_by("-seq").first()


@transaction.atomic
def chain_seal(*, limit: int | None = None) -> int:
    """Chain up to ``limit`` (default ``SEAL_BATCH``) queued rows, oldest queue entry first;
    returns how many."""
    _lock()
    pending = list(PendingRow.objects.order_by("id")[: limit or SEAL_BATCH])
    if not pending:
        return 0
    by_table: dict[str, list[int]] = defaultdict(list)
    for entry in pending:
        by_table[entry.table].append(entry.row_pk)
    contents = {
        (table, pk): content
        for table, pks in by_table.items()
        for pk, content in rows_content(table, pks).items()
    }
    head = chain_head()
    seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
    now = clock.now()
    links = []
    for entry in pending:
        content = contents[(entry.table, entry.row_pk)]
        seq += 1
        digest = link_hash(prev, content)
        links.append(
            ChainLink(
                seq=seq,
                table=entry.table,
                row_pk=entry.row_pk,
                prev_hash=prev,
                hash=digest,
                sealed_at=now,
            )
        )
        prev = digest
    ChainLink.objects.bulk_create(links)
    PendingRow.objects.filter(id__in=[entry.id for entry in pending]).delete()
    return len(links)


def chain_seal_all(*, max_batches: int | None = None) -> int:
    """Seal until the queue is empty, or ``max_batches`` transactions have run (the background
    job bounds itself so that a large backlog, e.g. after a bulk load, never holds the loop)."""
    total = batches = 0
    while (max_batches is None or batches < max_batches) and (done := chain_seal()):
        total += done
        batches += 1
    return total


# --- maintenance (docs/rules/audit.md §Z6) --------------------------------------------------------
@contextmanager
def chain_maintenance(*, reason: str) -> Iterator[None]:
    """The one way chained rows may be deleted (the demo reset): inside one transaction the
    triggers are dropped, the block runs, every link and queue entry goes, and the chain restarts
    with a link that records the reason, the old head and the row counts before and after; the
    surviving rows are queued again and the triggers come back. The old chain stays provable
    only through its exported heads (docs/rules/audit.md §Z5), which is why nothing else may use this path."""
    with transaction.atomic():
        chain_seal_all()
        head = chain_head()
        tables = chained_tables()
        before = {table: model._base_manager.count() for table, model in tables.items()}
        with triggers_suspended():
            yield
            after = {table: model._base_manager.count() for table, model in tables.items()}
            ChainLink.objects.all().delete()
            PendingRow.objects.all().delete()
            seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
            note = {
                "reason": reason,
                "at": clock.now().astimezone(dt.UTC).isoformat(),
                "old_seq": seq,
                "old_hash": prev,
                "rows_before": before,
                "rows_after": after,
            }
            ChainLink.objects.create(
                seq=seq + 1,
                table=RESTART,
                row_pk=seq + 1,
                prev_hash=prev,
                hash=link_hash(prev, restart_content(note)),
                sealed_at=clock.now(),
                note=note,
            )
            for table, model in tables.items():
                pks = model._base_manager.order_by("pk").values_list("pk", flat=True)
                PendingRow.objects.bulk_create(
                    (PendingRow(table=table, row_pk=pk) for pk in pks.iterator()),
                    batch_size=SEAL_BATCH,
                )
        chain_seal_all()


# --- verifying (docs/rules/audit.md §Z4, §Z5) -----------------------------------------------------
@dataclass(frozen=True)
class Break:
    """The first broken link: where, and the hash the chain holds against the one recomputed."""

    table: str
    row_pk: int
    seq: int
    expected: str
    found: str
    reason: str


@dataclass
class Report:
    links: int = 0
    pending: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    restarts: list[dict[str, Any]] = field(default_factory=list)
    heads_checked: int = 0
    heads_before_restart: int = 0
    first_break: Break | None = None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _links() -> Iterator[list[ChainLink]]:
    last = -1
    while True:
        batch = list(ChainLink.objects.filter(seq__gt=last).order_by("seq")[:VERIFY_BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].seq


def _walk(report: Report) -> None:
    prev: str | None = None
    expected_seq: int | None = None
    for batch in _links():
        wanted: dict[str, list[int]] = defaultdict(list)
        for link in batch:
            if link.table != RESTART:
                wanted[link.table].append(link.row_pk)
        contents = {
            (table, pk): content
            for table, pks in wanted.items()
            if table in chained_tables()
            for pk, content in rows_content(table, pks).items()
        }
        for link in batch:
            broken = _check(link, prev, expected_seq, contents, report)
            if broken:
                report.first_break = broken
                return
            report.links += 1
            report.head_seq, report.head_hash = link.seq, link.hash
            prev, expected_seq = link.hash, link.seq + 1


def _check(
    link: ChainLink,
    prev: str | None,
    expected_seq: int | None,
    contents: dict[tuple[str, int], bytes],
    report: Report,
) -> Break | None:
    def broken(expected: str, found: str, reason: str) -> Break:
        return Break(link.table, link.row_pk, link.seq, expected, found, reason)

    if link.table == RESTART:
        report.restarts.append({"seq": link.seq, **link.note})
        if prev is None:  # the chain starts at a recorded restart: its prev is the old head
            prev = link.note.get("old_hash", "")
            expected_seq = int(link.note.get("old_seq", 0)) + 1
    if expected_seq is None:
        expected_seq, prev = 1, GENESIS
    if link.seq != expected_seq:
        return broken(str(expected_seq), str(link.seq), "链序号不连续（有节点被删除）")
    if link.prev_hash != prev:
        return broken(prev or "", link.prev_hash, "前一哈希不符（链被改写）")
    if link.table == RESTART:
        content: bytes | None = restart_content(link.note)
    else:
        content = contents.get((link.table, link.row_pk))
        if content is None:
            return broken(link.hash, "", "记录已不存在（被删除）")
    assert content is not None
    recomputed = link_hash(link.prev_hash, content)
    if recomputed != link.hash:
        return broken(link.hash, recomputed, "记录内容与链上哈希不符（被修改）")
    return None


def _unchained(report: Report) -> None:
    """A row in a chained table with neither a link nor a queue entry was inserted with the
    triggers off (docs/rules/audit.md §Z4)."""
    for table, model in chained_tables().items():
        linked = ChainLink.objects.filter(table=table).values("row_pk")
        queued = PendingRow.objects.filter(table=table).values("row_pk")
        stray = (
            model._base_manager.exclude(pk__in=linked)
            .exclude(pk__in=queued)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if stray is not None:
            report.first_break = Break(
                table, stray, 0, "", "", "记录不在审计链上（绕过触发器写入）"
            )
            return


def _heads(report: Report, heads_dir: Path) -> None:
    first = ChainLink.objects.order_by("seq").first()
    for line_no, (path, seq, digest) in enumerate(heads_read(heads_dir), start=1):
        del line_no
        if first is not None and seq < first.seq:
            restart = first.note if first.table == RESTART else {}
            if restart and seq == restart.get("old_seq") and digest != restart.get("old_hash"):
                report.first_break = Break(
                    RESTART,
                    first.seq,
                    seq,
                    digest,
                    str(restart.get("old_hash")),
                    f"重启前的链头与导出文件 {path.name} 不符",
                )
                return
            report.heads_before_restart += 1
            continue
        link = ChainLink.objects.filter(seq=seq).first()
        if link is None:
            report.first_break = Break(
                "audit_chain", 0, seq, digest, "", f"导出文件 {path.name} 中的链头在链上已不存在"
            )
            return
        if link.hash != digest:
            report.first_break = Break(
                link.table,
                link.row_pk,
                seq,
                digest,
                link.hash,
                f"链上哈希与导出文件 {path.name} 不符（整条链被重算）",
            )
            return
        report.heads_checked += 1


def chain_verify(*, heads_dir: Path | None = None) -> Report:
    """Walk the whole chain (docs/rules/audit.md §Z4) and, given ``heads_dir``, check it
    against the exported heads (docs/rules/audit.md §Z5). Reads only; the unsealed queue is
    reported, not checked."""
    report = Report(pending=PendingRow.objects.count())
    _walk(report)
    if report.ok:
        _unchained(report)
    if report.ok and heads_dir is not None:
        _heads(report, heads_dir)
    return report


# --- exported heads (docs/rules/audit.md §Z5) -----------------------------------------------------
HEAD_FILE = "audit-head-{date}.txt"


def heads_export(directory: Path, *, now: dt.datetime | None = None) -> Path | None:
    """Append the current head (time, seq, hash) to today's file in ``directory`` unless its
    last line already holds it; the file is only ever appended to. Returns the file written."""
    now = now or clock.now()
    head = chain_head()
    if head is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / HEAD_FILE.format(date=clock.local_date(now).isoformat())
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    if lines and lines[-1].split("\t")[1:] == [str(head.seq), head.hash]:
        return path
    with path.open("a", encoding="utf-8") as out:
        out.write(f"{now.astimezone(dt.UTC).isoformat()}\t{head.seq}\t{head.hash}\n")
    return path


class HeadsError(ValueError):
    """An exported heads file that cannot be read."""


def heads_read(directory: Path) -> Iterator[tuple[Path, int, str]]:
    """Every exported head in ``directory``: (file, seq, hash), oldest file first."""
    if not directory.is_dir():
        raise HeadsError(f"链头目录不存在：{directory}")
    for path in sorted(directory.glob(HEAD_FILE.format(date="*"))):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            parts = line.split("\t")
            if len(parts) != 3 or not parts[1].isdigit() or len(parts[2]) != 64:
                raise HeadsError(f"链头文件 {path.name} 第 {number} 行格式不对：{line[:80]!r}")
            yield path, int(parts[1]), parts[2]
