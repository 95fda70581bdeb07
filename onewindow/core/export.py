"""Tables as downloads: one streamed response for CSV or Excel (``lib/export.py`` writes them).

Pages and API views of any app answer an export with ``export_response``; ``parse_format``
reads the format a request names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from onewindow.core.errors import Invalid
from onewindow.lib.export import (
    CSV_CONTENT_TYPE,
    FORMATS,
    XLSX_CONTENT_TYPE,
    ExportColumn,
    csv_lines,
    xlsx_chunks,
)


def parse_format(raw: str) -> str:
    """``csv`` or ``xlsx`` (any case, spaces around ignored); ``Invalid`` for anything else."""
    value = raw.strip().lower()
    if value not in FORMATS:
        raise Invalid({"format": [_("导出格式只能是 csv 或 xlsx。")]})
    return value


def export_response(
    fmt: str,
    *,
    filename: str,
    columns: Sequence[ExportColumn],
    rows: Iterable[Sequence[Any]],
    sheet_title: str = "",
) -> StreamingHttpResponse:
    """A streamed download of the table: ``filename`` (no extension; Chinese is fine) gets
    ``.csv`` or ``.xlsx`` by ``fmt`` (one of ``lib.export.FORMATS``)."""
    if fmt == "csv":
        body = csv_lines(columns, rows)
        content_type = CSV_CONTENT_TYPE
    elif fmt == "xlsx":
        body = xlsx_chunks(columns, rows, sheet_title=sheet_title or filename)
        content_type = XLSX_CONTENT_TYPE
    else:
        raise Invalid({"format": [_("导出格式只能是 csv 或 xlsx。")]})
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{filename}.{fmt}") or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
