"""Periodic audit work for the background loop (onewindow.core.jobs): seal the queued rows
(docs/rules/audit.md §Z2) and export the head
(docs/rules/audit.md §Z5). Both are safe in several workers at once:
the sealer holds its lock, the export appends only a head not yet written."""

from __future__ import annotations

import logging

from django.conf import settings

from onewindow.audit.chain import chain_seal_all, heads_export
from onewindow.core.jobs import periodic

log = logging.getLogger("onewindow.audit")

SEAL_BATCHES = 25  # at most 50,000 rows (about 20 s) a run; the rest on the next runs
HEAD_EXPORT_SECONDS = 3600  # at least one line a day; an hourly line bounds what a rewrite hides


@periodic("audit.seal", interval=settings.AUDIT_SEAL_SECONDS)
def seal() -> int:
    done = chain_seal_all(max_batches=SEAL_BATCHES)
    if done:
        log.info("audit chain: %s row(s) sealed", done)
    return done


@periodic("audit.export_head", interval=HEAD_EXPORT_SECONDS)
def export_head() -> None:
    chain_seal_all(max_batches=SEAL_BATCHES)
    path = heads_export(settings.AUDIT_HEAD_DIR)
    if path is not None:
        log.info("audit chain head exported to %s", path)
