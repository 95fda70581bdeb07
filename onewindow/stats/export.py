"""CSV and Excel exports of the statistics tables (docs/rules/statistics.md §M7).

CSV: UTF-8 with a byte-order mark (spreadsheet programs then read the Chinese right), one
header line, the numbers as numbers. Excel: one sheet named after the table, the caption in
the first row, bold headers, written with openpyxl. A cell starting with = + - @ is written as
text (prefixed with an apostrophe in CSV, typed as a string in Excel), so no exported name can
become a formula.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from onewindow.stats.tables import Cell, Table

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_START = ("=", "+", "-", "@")


def _value(cell: Cell, *, csv_text: bool = True) -> Any:
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return float(cell)
    if csv_text and isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def table_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_value(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.name[:31]
    sheet.append([table.caption])
    sheet.append(table.headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_value(cell, csv_text=False) for cell in row])
        for written in sheet[sheet.max_row]:
            if isinstance(written.value, str) and written.value.startswith(FORMULA_START):
                written.data_type = "s"  # text, never a formula
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column) * 2 + 2
        letter = column[0].column_letter
        sheet.column_dimensions[letter].width = min(max(width, 10), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_response(table: Table, fmt: str, filename: str) -> HttpResponse:
    """The table as a download (``fmt`` is one of ``FORMATS``)."""
    body = table_csv(table) if fmt == "csv" else table_xlsx(table)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
