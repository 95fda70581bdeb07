"""docs/rules/privacy.md §P5: the retention job, once a day."""

from __future__ import annotations

from onewindow.core.jobs import periodic
from onewindow.privacy.services import retention_run


@periodic("privacy.retention", interval=24 * 3600)
def retention() -> int:
    return retention_run()
