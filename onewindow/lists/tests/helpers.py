"""Reading a downloaded table back: the CSV (with its BOM) and the workbook (with openpyxl)."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook


def body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def csv_rows(response: Any) -> list[list[str]]:
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte-order mark"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(response: Any) -> tuple[list[list[Any]], Any]:
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(body(response)))
    sheet = workbook.active
    return [list(row) for row in sheet.iter_rows(values_only=True)], sheet
