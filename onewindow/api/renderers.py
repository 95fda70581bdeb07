"""Renderers shared by the endpoints that answer with a file."""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import BaseRenderer


class PDFRenderer(BaseRenderer):
    """Lets content negotiation accept ``application/pdf``; the view returns the PDF response
    itself, so there is nothing to render."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data


class CSVRenderer(PDFRenderer):
    """``?format=csv`` or ``Accept: text/csv``: the view returns the file itself
    (``core.export.export_response``)."""

    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(PDFRenderer):
    """``?format=xlsx`` or the Excel media type: the view returns the file itself."""

    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
