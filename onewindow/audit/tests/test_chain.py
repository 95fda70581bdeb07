"""The audit chain (docs/rules/audit.md §Z2–§Z6): rows are queued by the insert trigger, sealed
into one SM3 chain, and ``onewindow audit verify`` names the first row a DBA changed, deleted or
slipped in, and a rewrite of the whole chain against the exported heads."""

from __future__ import annotations

import hashlib
import itertools
import os

import pytest
from django.db import IntegrityError, transaction

from onewindow.audit.chain import (
    chain_head,
    chain_maintenance,
    chain_seal_all,
    chain_verify,
    heads_export,
    link_hash,
    rows_content,
)
from onewindow.audit.models import GENESIS, RESTART, ChainLink, PendingRow
from onewindow.audit.tests.helpers import TABLE, case_with_events, note, sql
from onewindow.audit.triggers import triggers_suspended
from onewindow.cases.models import Case, CaseEvent
from onewindow.cli import main
from onewindow.lib.sm3 import sm3_hex, sm3_hex_gmssl


def test_sm3_gives_the_standards_example_digest_from_openssl_and_gmssl():
    # GB/T 32905-2016 Appendix A, example 1: SM3("abc").
    expected = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3_hex(b"abc") == sm3_hex_gmssl(b"abc") == expected
    data = os.urandom(300)
    assert sm3_hex(data) == sm3_hex_gmssl(data)
    assert sm3_hex(data) != hashlib.sha256(data).hexdigest()


def test_every_new_event_is_queued_and_the_sealer_chains_them_in_one_line(world):
    start = chain_head()  # a module fixture's demo reset may have left its restart link
    start_seq, start_hash = (start.seq, start.hash) if start else (0, GENESIS)
    case = case_with_events(world)
    events = set(case.events.values_list("pk", flat=True))
    assert set(PendingRow.objects.filter(table=TABLE).values_list("row_pk", flat=True)) == events
    assert chain_seal_all() == len(events)
    assert not PendingRow.objects.exists()
    links = list(ChainLink.objects.filter(seq__gt=start_seq).order_by("seq"))
    assert [link.seq for link in links] == list(range(start_seq + 1, start_seq + len(events) + 1))
    assert links[0].prev_hash == start_hash
    for before, link in itertools.pairwise(links):
        assert link.prev_hash == before.hash
    content = rows_content(TABLE, [links[0].row_pk])[links[0].row_pk]
    assert links[0].hash == link_hash(start_hash, content)
    report = chain_verify()
    assert report.ok and report.head_hash == links[-1].hash
    assert report.links == ChainLink.objects.count() >= len(events)


def test_an_event_row_changed_by_raw_sql_with_the_trigger_dropped_is_named(world, capsys):
    case = case_with_events(world)
    chain_seal_all()
    victim = case.events.order_by("pk")[1]
    link = ChainLink.objects.get(table=TABLE, row_pk=victim.pk)
    with transaction.atomic(), triggers_suspended():  # what a DBA can do
        sql(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["补记说明", victim.pk])
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "记录内容与链上哈希不符" in out
    assert f"数据表 (table)：{TABLE}  记录 (id)：{victim.pk}  链序号 (seq)：{link.seq}" in out
    assert f"应为 (expected)：{link.hash}" in out
    report = chain_verify()
    assert report.first_break is not None and report.first_break.found != link.hash


def test_a_deleted_event_and_an_event_slipped_in_without_the_trigger_are_named(world, capsys):
    case = case_with_events(world)
    chain_seal_all()
    first = case.events.order_by("pk").first()
    assert first is not None
    with transaction.atomic(), triggers_suspended():
        sql(f"DELETE FROM {TABLE} WHERE id = %s", [first.pk])
    assert main(["audit", "verify", "--no-seal"]) == 1
    assert f"记录已不存在（被删除）\n  数据表 (table)：{TABLE}  记录 (id)：{first.pk}" in (
        capsys.readouterr().out
    )
    with transaction.atomic(), triggers_suspended():
        note(case, "事后补写")
    broken = chain_verify().first_break
    assert broken is not None and broken.row_pk == first.pk  # the first break wins


def test_a_row_inserted_with_the_triggers_off_is_reported(world):
    case = case_with_events(world)
    chain_seal_all()
    with transaction.atomic(), triggers_suspended():
        slipped = note(case, "事后补写")
    report = chain_verify()
    assert report.first_break is not None
    assert (report.first_break.table, report.first_break.row_pk) == (TABLE, slipped.pk)
    assert "绕过触发器" in report.first_break.reason


def test_unsealed_rows_are_reported_not_checked(world, capsys):
    case = case_with_events(world)
    chain_seal_all()
    note(case, "新记录")
    assert main(["audit", "verify", "--no-seal"]) == 0
    assert "待封链 1 条（未校验）" in capsys.readouterr().out
    assert main(["audit", "head"]) == 0
    out = capsys.readouterr().out
    head = chain_head()
    assert head is not None and f"序号 {head.seq}  哈希 {head.hash}" in out


def _rewrite_whole_chain() -> None:
    """What a DBA who knows the algorithm can do: change a row and recompute every link."""
    with transaction.atomic(), triggers_suspended():
        event = CaseEvent.objects.order_by("pk").first()
        assert event is not None
        sql(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["改写", event.pk])
        prev = GENESIS
        for link in list(ChainLink.objects.order_by("seq")):
            if link.table == RESTART:  # a demo reset's restart link stays as it is
                prev = link.hash
                continue
            content = rows_content(link.table, [link.row_pk])[link.row_pk]
            digest = link_hash(prev, content)
            sql(
                "UPDATE audit_chain SET prev_hash = %s, hash = %s WHERE seq = %s",
                [prev, digest, link.seq],
            )
            prev = digest


def test_exported_heads_prove_a_rewrite_of_the_whole_chain(world, tmp_path, capsys):
    case = case_with_events(world)
    chain_seal_all()
    path = heads_export(tmp_path)
    assert path is not None and path.name.startswith("audit-head-")
    first_line = path.read_text(encoding="utf-8")
    assert heads_export(tmp_path) == path and path.read_text(encoding="utf-8") == first_line
    note(case, "又一条")
    chain_seal_all()
    heads_export(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and path.read_text(encoding="utf-8").startswith(first_line)
    assert main(["audit", "verify", "--heads", str(tmp_path)]) == 0
    assert "与导出链头核对一致：2 条" in capsys.readouterr().out
    _rewrite_whole_chain()
    assert chain_verify().ok  # the chain alone cannot tell
    assert main(["audit", "verify", "--heads", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "整条链被重算" in out and lines[0].split("\t")[2] in out


def test_a_malformed_heads_file_is_a_clear_error(world, tmp_path, capsys):
    (tmp_path / "audit-head-2026-01-01.txt").write_text("not a head\n", encoding="utf-8")
    assert main(["audit", "verify", "--heads", str(tmp_path)]) == 1
    assert "第 1 行格式不对" in capsys.readouterr().err
    assert main(["audit", "verify", "--heads", str(tmp_path / "none")]) == 1
    assert "链头目录不存在" in capsys.readouterr().err


def test_the_maintenance_path_restarts_the_chain_with_a_link_recording_it(world, tmp_path):
    case = case_with_events(world)
    chain_seal_all()
    old = chain_head()
    assert old is not None
    heads_export(tmp_path)
    keep = Case.objects.exclude(pk=case.pk).count()
    with chain_maintenance(reason="onewindow demo --reset"):
        Case.objects.filter(pk=case.pk).delete()  # the events go with the case
    restart = ChainLink.objects.order_by("seq").first()
    assert restart is not None and restart.table == RESTART
    assert (restart.seq, restart.prev_hash) == (old.seq + 1, old.hash)
    assert restart.note["reason"] == "onewindow demo --reset"
    assert restart.note["rows_before"][TABLE] > restart.note["rows_after"][TABLE] == 0
    report = chain_verify(heads_dir=tmp_path)
    assert report.ok and report.restarts[0]["old_hash"] == old.hash
    assert report.heads_before_restart == 1 and keep == Case.objects.count()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        sql("UPDATE audit_chain SET hash = 'x'")  # the triggers are back


def test_the_background_job_seals_a_bounded_number_of_batches_a_run(world, monkeypatch):
    from onewindow.audit import chain, jobs

    case_with_events(world)
    queued = PendingRow.objects.count()
    monkeypatch.setattr(chain, "SEAL_BATCH", 1)
    monkeypatch.setattr(jobs, "SEAL_BATCHES", 2)
    assert queued > 2 and jobs.seal() == 2
    assert PendingRow.objects.count() == queued - 2
