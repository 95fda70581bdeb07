"""Periodic publicity work for the background loop (onewindow.core.jobs)."""

from __future__ import annotations

import logging

from django.conf import settings

from onewindow.core.jobs import periodic
from onewindow.publicity.services import publicities_archive

log = logging.getLogger("onewindow.publicity")


@periodic("publicity.archive", interval=settings.BACKGROUND_INTERVAL)
def archive_closed() -> int:
    """docs/rules/publicity.md §L3: a publicity whose last day has passed is archived."""
    found = publicities_archive()
    if found:
        log.info("publicity archived: %s closed publicity record(s)", found)
    return found
