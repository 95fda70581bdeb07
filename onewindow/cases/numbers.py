"""Case numbers (region code + date + daily sequence) and query codes."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F

from onewindow.cases.models import CaseNumberSequence

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O/1/I: read aloud at the window


def case_number_next(*, region_code: str, day: dt.date) -> str:
    """``<region><yyyymmdd><5-digit sequence>``; the Case.number unique constraint backs it up."""
    return f"{region_code}{day:%Y%m%d}{_sequence_next(region_code, day):05d}"


def _sequence_next(region_code: str, day: dt.date) -> int:
    rows = CaseNumberSequence.objects.filter(region_code=region_code, day=day)
    if rows.update(last=F("last") + 1) == 0:
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.create(region_code=region_code, day=day, last=1)
                return 1
        except IntegrityError:  # another transaction created the row first
            rows.update(last=F("last") + 1)
    return rows.values_list("last", flat=True).get()


def query_code_new() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(8))
