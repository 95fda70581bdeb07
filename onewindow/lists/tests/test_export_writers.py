"""The table writers (docs/rules/lists.md §Q6): CSV with a BOM, Excel read back with openpyxl,
no formulas, stream-safe; and the response both pages and API use."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from onewindow.core.errors import Invalid
from onewindow.core.export import export_response, parse_format
from onewindow.lib.export import (
    WIDTH_SAMPLE,
    ExportColumn,
    csv_lines,
    safe_text,
    text_width,
    xlsx_bytes,
    xlsx_chunks,
)

COLUMNS = [
    ExportColumn("事项名称"),
    ExportColumn("金额"),
    ExportColumn("日期"),
    ExportColumn("说明", 30),
]
ROWS = [
    ("食品经营许可", Decimal("120.00"), dt.date(2015, 3, 31), "=1+1"),
    ("公共场所卫生许可", 0, None, "第一行\n第二行"),
]


def test_csv_starts_with_a_bom_and_reads_back():
    data = b"".join(csv_lines(COLUMNS, ROWS))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["事项名称", "金额", "日期", "说明"]
    assert rows[1] == ["食品经营许可", "120.00", "2015-03-31", "'=1+1"]
    assert rows[2] == ["公共场所卫生许可", "0", "", "第一行\n第二行"]


def test_csv_is_written_line_by_line():
    def endless():
        n = 0
        while True:
            n += 1
            yield (f"事项{n}", n, None, "")

    lines = csv_lines(COLUMNS, endless())
    first_three = [next(lines) for _ in range(3)]  # no need to read everything first
    assert first_three[2].decode() == "事项2,2,,\r\n"


@pytest.mark.parametrize("text", ["=HYPERLINK()", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_made_text(text):
    assert safe_text(text) == "'" + text


def test_control_characters_are_dropped_and_none_is_empty():
    assert safe_text("a\x00b\x1fc\td") == "abc\td"
    assert safe_text(None) == ""


def test_widths_count_chinese_characters_twice():
    assert text_width("abc") == 3
    assert text_width("食品") == 4
    assert text_width("短\n长一点的行") == 10


def test_the_workbook_reads_back_with_header_types_and_widths():
    data = xlsx_bytes(COLUMNS, ROWS, sheet_title="清理记录:2015")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.title == "清理记录2015"  # ":" is not allowed in a sheet name
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("事项名称", "金额", "日期", "说明")
    assert rows[1][0] == "食品经营许可"
    assert rows[1][1] == 120
    assert rows[1][2] == dt.datetime(2015, 3, 31)
    assert rows[1][3] == "'=1+1"
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == text_width("公共场所卫生许可") + 2
    assert sheet.column_dimensions["B"].width == len("120.00") + 2
    assert sheet.column_dimensions["C"].width == len("2015-03-31") + 2
    assert sheet.column_dimensions["D"].width == 30  # the column's own


def test_the_workbook_sizes_from_a_sample_and_streams_the_rest():
    rows = ((f"事项{n}", n, None, "") for n in range(WIDTH_SAMPLE * 3))
    chunks = list(xlsx_chunks(COLUMNS, rows))
    assert len(chunks) >= 1 and all(isinstance(c, bytes) for c in chunks)
    sheet = load_workbook(io.BytesIO(b"".join(chunks))).active
    assert sheet.max_row == WIDTH_SAMPLE * 3 + 1


def test_narrow_columns_get_the_minimum_width():
    data = xlsx_bytes([ExportColumn("n")], [(1,), (2,)])
    assert load_workbook(io.BytesIO(data)).active.column_dimensions["A"].width == 6


def test_an_empty_table_is_a_header_only():
    sheet = load_workbook(io.BytesIO(xlsx_bytes(COLUMNS, []))).active
    assert list(sheet.iter_rows(values_only=True)) == [("事项名称", "金额", "日期", "说明")]
    assert b"".join(csv_lines(COLUMNS, [])).decode("utf-8-sig") == "事项名称,金额,日期,说明\r\n"


def test_parse_format():
    assert parse_format(" XLSX ") == "xlsx"
    with pytest.raises(Invalid) as refused:
        parse_format("pdf")
    assert refused.value.message == "导出格式只能是 csv 或 xlsx。"


def test_export_response_names_the_file_and_streams():
    response = export_response("csv", filename="清理记录", columns=COLUMNS, rows=ROWS)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        "filename*=utf-8''%E6%B8%85%E7%90%86%E8%AE%B0%E5%BD%95.csv"
        in (response["Content-Disposition"])
    )
    response = export_response("xlsx", filename="清理记录", columns=COLUMNS, rows=ROWS)
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    with pytest.raises(Invalid):
        export_response("pdf", filename="x", columns=COLUMNS, rows=ROWS)
