"""The demo's statistics: the generated year of cases goes through the real services, whose
events keep the rollups (docs/rules/statistics.md §M3); ``load`` recounts them once more with
the set-based ``rebuild`` so the pages agree with the cases whatever path a story took, and
``reset`` empties them with the cases."""

from __future__ import annotations

import datetime as dt

from onewindow.stats import services


def load(today: dt.date) -> None:
    services.rebuild()


def reset() -> None:
    services.reset()
