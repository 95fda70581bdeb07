"""``onewindow calendar ...``: output, exit status 0 / 2 (bad input) / 3 (provisional)."""

from __future__ import annotations

from pathlib import Path

import pytest

from onewindow.calendars.models import CalendarDay, HolidayYear
from onewindow.calendars.selectors import current_revision
from onewindow.calendars.tests.data import ARRANGEMENT_2027_CSV, ARRANGEMENT_2027_JSON
from onewindow.cli import main

pytestmark = pytest.mark.django_db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        status = main(["calendar", *argv])
    except SystemExit as exit_:  # argparse refuses bad arguments by exiting
        status = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_due_prints_the_iso_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "due", "2025-09-30", "5") == (0, "2025-10-14\n", "")
    assert run(capsys, "due", "2025-09-30", "30")[1] == "2025-11-18\n"
    assert run(capsys, "due", "2025-09-30", "0")[1] == "2025-09-30\n"


def test_due_in_an_unloaded_year_says_provisional_and_exits_3(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "due", "2026-12-31", "1")
    assert status == 3
    assert out == "2027-01-04 provisional\n"
    assert "2027 年节假日安排尚未载入" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["due", "2025-02-30", "5"], "日期不存在 (no such date): 2025-02-30"),
        (["due", "30/09/2025", "5"], "日期应为 YYYY-MM-DD 格式"),
        (["due", "2025-09-30", "-5"], "工作日数不能为负数 (working days must not be negative)"),
        (["due", "2025-09-30", "five"], "工作日数应为非负整数"),
        (["due", "2025-09-30", "1.5"], "工作日数应为非负整数"),
        (["due", "2025-09-30", "99999999"], "超出日历覆盖范围"),
        (["due", "1999-01-04", "5"], "超出日历覆盖范围"),
        (["due", "2025-09-30"], "参数错误 (invalid arguments)"),
        (["count", "2025-10-14", "2025-09-30"], "结束日期 2025-09-30 早于开始日期 2025-10-14"),
        (["show", "1999"], "年份应在 2004–2099 之间"),
        (["show", "2027a"], "年份应在 2004–2099 之间"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert message in err


def test_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "count", "2025-09-30", "2025-10-14") == (0, "5\n", "")
    status, out, _err = run(capsys, "count", "2026-12-01", "2027-01-31")
    assert (status, out.split()[1]) == (3, "provisional")


def test_load_makes_2027_official(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "2027.csv"
    path.write_text(ARRANGEMENT_2027_CSV, encoding="utf-8")
    status, out, _err = run(capsys, "load", str(path), "--source", "国务院办公厅通知")
    assert status == 0
    assert "已载入 2027 年节假日安排：放假 28 天，调休上班 3 天" in out
    assert HolidayYear.objects.get().source == "国务院办公厅通知"
    # The same question now has a firm, different answer.
    assert run(capsys, "due", "2027-02-04", "1") == (0, "2027-02-15\n", "")


def test_load_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "arrangement.json"
    path.write_text(ARRANGEMENT_2027_JSON, encoding="utf-8")
    assert run(capsys, "load", str(path))[0] == 0
    assert HolidayYear.objects.get().source.startswith("国务院办公厅")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("2027-01-01,休\n2027-02-22,班\n", "2027-02-22 是星期一，调休上班日只能是周六或周日"),
        ("2027-01-01,休\n2027-02-30,休\n", "第 2 行：日期“2027-02-30”不存在"),
        ('{"year": 2027, "holidays": [', "JSON 格式错误"),
    ],
)
def test_a_bad_file_exits_2_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / ("bad.json" if content.startswith("{") else "bad.csv")
    path.write_text(content, encoding="utf-8")
    revision = current_revision()
    status, out, err = run(capsys, "load", str(path))
    assert status == 2
    assert out == ""
    assert "文件未载入，日历未作任何修改 (file not loaded, nothing changed)" in err
    assert message in err
    assert not HolidayYear.objects.exists()
    assert not CalendarDay.objects.exists()
    assert current_revision() == revision


def test_a_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _out, err = run(capsys, "load", str(tmp_path / "nope.csv"))
    assert status == 2
    assert "无法读取文件 (cannot read the file)" in err


def test_show_a_provisional_year(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _err = run(capsys, "show", "2027")
    assert status == 3
    assert "2027 年节假日安排：临时计算，尚未载入官方安排 (provisional: not loaded)" in out
    assert "2027-02-05 周五 春节" in out
    assert "调休上班日 (working weekend days): 0" in out


def test_show_a_loaded_year(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _err = run(capsys, "show", "2025")
    assert status == 0
    assert "已载入 (loaded)" in out
    assert "放假日 (holidays): 28" in out
    assert "2025-10-11 周六" in out
