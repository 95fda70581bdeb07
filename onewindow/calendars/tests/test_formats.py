"""Reading arrangement files: the CSV and JSON shapes administrators send, and clear errors."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from onewindow.calendars.formats import arrangement_parse
from onewindow.calendars.tests.data import ARRANGEMENT_2027_CSV, ARRANGEMENT_2027_JSON

D = dt.date


def parse(
    text: str, name: str = "file.csv", encoding: str = "utf-8"
) -> tuple[int | None, dict[dt.date, str], dict[dt.date, str]]:
    parsed = arrangement_parse(name=name, content=text.encode(encoding))
    return parsed.year, parsed.holidays, parsed.workdays


def errors_of(text: str, name: str = "file.csv") -> list[str]:
    with pytest.raises(ValidationError) as error:
        arrangement_parse(name=name, content=text.encode())
    return error.value.messages


def test_the_csv_form() -> None:
    year, holidays, workdays = parse(ARRANGEMENT_2027_CSV)
    assert year == 2027
    assert len(holidays) == 28
    assert holidays[D(2027, 2, 5)] == "春节"
    assert workdays == {
        D(2027, 2, 20): "春节调休",
        D(2027, 5, 8): "劳动节调休",
        D(2027, 10, 9): "国庆节调休",
    }


def test_csv_without_header_with_english_kinds_comments_and_blank_lines() -> None:
    text = "# 2027\n\n2027-01-01,holiday,New Year\n2027/2/20,workday\n2027-02-06, 休 \n"
    assert parse(text) == (
        2027,
        {D(2027, 1, 1): "New Year", D(2027, 2, 6): ""},
        {D(2027, 2, 20): ""},
    )


def test_csv_saved_by_excel_in_utf8_with_bom_or_gb18030() -> None:
    text = "日期,类型,名称\r\n2027-01-01,休,元旦\r\n"
    assert parse("\ufeff" + text)[1] == {D(2027, 1, 1): "元旦"}
    assert parse(text, encoding="gb18030")[1] == {D(2027, 1, 1): "元旦"}


def test_the_json_form_with_ranges() -> None:
    parsed = arrangement_parse(name="2027.json", content=ARRANGEMENT_2027_JSON.encode())
    assert parsed.year == 2027
    assert parsed.source.startswith("国务院办公厅")
    assert len(parsed.holidays) == 28
    assert set(parsed.workdays) == {D(2027, 2, 20), D(2027, 5, 8), D(2027, 10, 9)}


@pytest.mark.parametrize(
    "document",
    [
        {"year": 2027, "holidays": ["2027-01-01"], "workdays": ["2027-02-20"]},
        {"year": "2027", "holidays": {"2027-01-01": ""}, "workdays": [{"date": "2027-02-20"}]},
        {"holidays": [{"name": "", "dates": ["2027-01-01"]}], "workdays": ["2027-02-20"]},
        [{"date": "2027-01-01", "kind": "休"}, {"date": "2027-02-20", "kind": "班"}],
        {"year": 2027, "days": [{"date": "2027-01-01", "kind": "holiday"}], "班": ["2027-02-20"]},
    ],
)
def test_other_reasonable_json_shapes(document: object) -> None:
    assert parse(json.dumps(document), name="2027.json") == (
        2027,
        {D(2027, 1, 1): ""},
        {D(2027, 2, 20): ""},
    )


def test_cells_typed_with_a_chinese_input_method_may_be_separated_by_a_full_width_comma() -> None:
    text = '2027-01-01，休，元旦\n2027-02-20,班，春节调休\n2027-10-01,休,"国庆节，中秋节"\n'
    assert parse(text) == (
        2027,
        {D(2027, 1, 1): "元旦", D(2027, 10, 1): "国庆节，中秋节"},
        {D(2027, 2, 20): "春节调休"},
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027-01-01，休\nnot-a-date，休", "第 2 行：“not-a-date”不是日期"),
        ("2027-01-01，休，元旦，多余", "实际为 4 列"),
    ],
)
def test_full_width_separated_lines_are_refused_like_the_ascii_ones(
    text: str, message: str
) -> None:
    assert any(message in error for error in errors_of(text))


def test_a_file_without_extension_is_recognised_by_its_content() -> None:
    assert parse('{"holidays": ["2027-01-01"]}', name="upload")[0] == 2027
    assert parse("2027-01-01,休", name="upload")[0] == 2027


def test_an_explicit_year_wins_over_the_dates() -> None:
    parsed = arrangement_parse(name="x.csv", content=b"2027-01-01,holiday", year=2028)
    assert parsed.year == 2028  # the service then refuses the 2027 date with a clear message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-02-30,休", "第 1 行：日期“2025-02-30”不存在"),
        ("2027-01-01,休\nnot-a-date,休", "第 2 行：“not-a-date”不是日期"),
        ("2027-01-01,rest", "类型“rest”无效"),
        ("2027-01-01", "应为“日期,类型[,名称]”三列，实际为 1 列"),
        ("2027-01-01,休,元旦,多余", "实际为 4 列"),
        ("2027-02-20,休\n2027-02-20,班", "第 2 行：2027-02-20 同时被列为放假日和调休上班日"),
        ("2027-01-01,休\n2028-01-01,休", "多个年份（2027、2028）"),
        ("date,kind,name\n", "没有任何日期"),
        ("", "没有任何日期"),
    ],
)
def test_bad_csv_is_refused_with_the_line_and_reason(text: str, message: str) -> None:
    assert any(message in error for error in errors_of(text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"year": 2027, "holidays": ["2027-01-01",]}', "JSON 格式错误（第 1 行"),
        ('{"year": 2027, "holidays": ["2027-13-01"]}', "holidays[1]：日期“2027-13-01”不存在"),
        ('{"year": 2027, "vacation": ["2027-01-01"]}', "无法识别的字段“vacation”"),
        ('{"year": "next", "holidays": ["2027-01-01"]}', "“year”应为年份数字"),
        ('{"holidays": "2027-01-01"}', "“holidays”应为日期列表"),
        ('{"holidays": [{"start": "2027-02-10", "end": "2027-02-01"}]}', "日期范围"),
        ('{"holidays": [42]}', "无法识别的条目"),
        ('[{"date": "2027-01-01"}]', "类型“None”无效"),
        ("42", "顶层应为对象或数组"),
    ],
)
def test_bad_json_is_refused_with_a_clear_reason(text: str, message: str) -> None:
    assert any(message in error for error in errors_of(text, name="2027.json"))


def test_undecodable_or_huge_files_are_refused() -> None:
    with pytest.raises(ValidationError, match="无法识别文件编码"):
        arrangement_parse(name="x.csv", content=b"\xff\xfe\x00\xd8\x00")
    with pytest.raises(ValidationError, match="文件过大"):
        arrangement_parse(name="x.csv", content=b"#" * (256 * 1024 + 1))
