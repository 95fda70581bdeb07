"""The errors of the site's help (one family with every app's, ``core.errors``)."""

from __future__ import annotations

from onewindow.core.errors import DomainError


class TooManyReports(DomainError):
    """docs/rules/publicity.md §L8: this address sent too many error reports this minute."""

    code = "rate_limited"

    def __init__(self, message: str, wait: int) -> None:
        super().__init__(message)
        self.wait = wait
