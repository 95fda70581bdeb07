from __future__ import annotations

from onewindow.core.errors import DomainError, Invalid


class StatsError(DomainError):
    code = "stats_error"


class StatsInvalid(StatsError, Invalid):
    """A bad filter: ``errors`` maps the query parameter to its Chinese message."""

    code = "invalid"
