"""Tables written as files to download: CSV (UTF-8 with a byte-order mark, so Excel opens the
Chinese text correctly) and Excel (.xlsx, openpyxl's write-only mode).

Pure code over plain values, so any app can export a table: the caller gives the header (one
``ExportColumn`` per column) and the rows (an iterable of sequences, read once, in order). Both
writers are stream-safe: CSV yields one encoded line at a time; the workbook holds at most
``WIDTH_SAMPLE`` rows in memory to size its columns and streams the rest into its file.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
leading apostrophe, so a spreadsheet never runs text from the database as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

BOM = "\ufeff"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")

CHUNK = 64 * 1024
WIDTH_SAMPLE = 200  # rows read ahead to size the columns of a workbook
MIN_WIDTH, MAX_WIDTH = 6, 60  # column widths in Excel's character units
XLSX_MAX_CELL = 32767  # Excel's limit on the characters of one cell
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot carry (openpyxl refuses them): control characters but tab and newline
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Cell = str | int | float | Decimal | dt.date | None


@dataclass(frozen=True)
class ExportColumn:
    """One column: its header and, optionally, a fixed width (else sized from the content)."""

    title: str
    width: int | None = None


def safe_text(value: Any) -> str:
    """A cell's text: empty for None, and never read as a formula by a spreadsheet."""
    if value is None:
        return ""
    text = _ILLEGAL_XML.sub("", str(value))
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_lines(columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The table as CSV, one encoded line at a time: the BOM and the header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: Sequence[Any]) -> bytes:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    yield BOM.encode("utf-8") + line([safe_text(c.title) for c in columns])
    for row in rows:
        yield line([_csv_cell(value) for value in row])


def _csv_cell(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    return safe_text(value)


def text_width(text: str) -> int:
    """How many character cells ``text`` takes in a spreadsheet: a Chinese character two."""
    longest = max((line for line in text.split("\n")), key=len, default="")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def xlsx_chunks(
    columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]], *, sheet_title: str = "Sheet1"
) -> Iterator[bytes]:
    """The table as an .xlsx workbook, in chunks: a bold, shaded header row frozen at the top, each column
    as wide as its header and the first ``WIDTH_SAMPLE`` rows need (between ``MIN_WIDTH`` and
    ``MAX_WIDTH``, or the column's own width), long text wrapped."""
    rows_iter = iter(rows)
    sample = list(itertools.islice(rows_iter, WIDTH_SAMPLE))

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    widths = _widths(columns, sample)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE5EE")
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=safe_text(column.title))
        cell.font = bold
        cell.fill = fill
        header.append(cell)
    sheet.append(header)

    wrap = Alignment(wrap_text=True, vertical="top")
    for row in itertools.chain(sample, rows_iter):
        cells = []
        for value, width in zip(row, widths, strict=False):
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            if isinstance(cell.value, str) and text_width(cell.value) > width:
                cell.alignment = wrap
            cells.append(cell)
        sheet.append(cells)

    # The write-only workbook streams its rows into a temporary file, not into memory, and the
    # file is read back in chunks.
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk


def xlsx_bytes(
    columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]], *, sheet_title: str = "Sheet1"
) -> bytes:
    """``xlsx_chunks`` as one value."""
    return b"".join(xlsx_chunks(columns, rows, sheet_title=sheet_title))


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "", title).strip("'") or "Sheet1"
    return cleaned[:31]


def _widths(columns: Sequence[ExportColumn], sample: list[Sequence[Any]]) -> list[int]:
    widths = []
    for index, column in enumerate(columns):
        if column.width is not None:
            widths.append(column.width)
            continue
        needed = text_width(column.title)
        for row in sample:
            if index < len(row):
                needed = max(needed, text_width(_csv_cell(row[index])))
        widths.append(min(max(needed + 2, MIN_WIDTH), MAX_WIDTH))
    return widths


def _xlsx_value(value: Any) -> Cell:
    if value is None:
        return None
    if isinstance(value, bool):
        return safe_text(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")  # Excel has no time zones
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    return safe_text(value)[:XLSX_MAX_CELL]


class ExportFormatConverter:
    """``<export_format:fmt>`` in a URL: ``csv`` or ``xlsx`` (registered by core)."""

    regex = "|".join(FORMATS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
