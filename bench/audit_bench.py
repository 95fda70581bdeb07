"""What the audit chain costs (docs/rules/audit.md §Z2): the added time per case event insert
(the triggers: refusal checks and the queue row) and the sealer's time per event (SM3 and the
link row), on the database DATABASE_URL names; it must already be migrated (e.g. a data dir
after ``onewindow run``, or the reused test database). Everything is rolled back.

    python -m bench.audit_bench [--events 400] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


class Rollback(Exception):
    """Leaves the database as it was."""


def _world() -> object:
    from onewindow.accounts.models import User
    from onewindow.accounts.roles import Role
    from onewindow.cases.services import case_create_draft
    from onewindow.cases.tests.conftest import make_version
    from onewindow.catalog.models import Department, Region, RegionLevel

    department = Department.objects.create(code="BENCH-AUDIT", name="审计测试局")
    region = Region.objects.create(code="429999", name="测试市", level=RegionLevel.CITY)
    version, _, _ = make_version(department, code="BENCH-AUDIT-1")
    applicant = User.objects.create_user(
        username="bench_audit", password="x", role=Role.APPLICANT, full_name="测"
    )
    return case_create_draft(
        item_version=version, applicant=applicant, created_by=applicant, region=region
    )


def _insert(case: object, n: int) -> float:
    """Seconds per event for ``n`` inserts, each in its own savepoint (as a service writes it)."""
    from django.db import transaction

    from onewindow.cases.models import CaseEvent
    from onewindow.core import clock

    began = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            CaseEvent.objects.create(case=case, at=clock.now(), action="note_added", reason=str(i))
    return (time.perf_counter() - began) / n


def measure(events: int, rounds: int) -> dict[str, float]:
    from django.db import connection, transaction

    from onewindow.audit.chain import chain_seal_all
    from onewindow.audit.models import PendingRow
    from onewindow.audit.triggers import triggers_suspended

    on, off, seal = [], [], []
    try:
        with transaction.atomic():
            case = _world()
            chain_seal_all()
            for _ in range(rounds):
                with triggers_suspended():
                    off.append(_insert(case, events))
                on.append(_insert(case, events))
                queued = PendingRow.objects.count()
                began = time.perf_counter()
                chain_seal_all()
                seal.append((time.perf_counter() - began) / queued)
            raise Rollback
    except Rollback:
        pass
    ms = 1000.0
    return {
        "vendor": connection.vendor,  # type: ignore[dict-item]
        "insert_without_triggers_ms": round(statistics.median(off) * ms, 3),
        "insert_with_triggers_ms": round(statistics.median(on) * ms, 3),
        "added_ms_per_event": round((statistics.median(on) - statistics.median(off)) * ms, 3),
        "seal_ms_per_event": round(statistics.median(seal) * ms, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.events < 1 or args.rounds < 1:
        print("参数错误 (invalid arguments): --events 与 --rounds 须为正整数")
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    from onewindow.lib.sm3 import OPENSSL_SM3, sm3_hex, sm3_hex_gmssl

    data = b"x" * 400
    began = time.perf_counter()
    for _ in range(2000):
        sm3_hex(data)
    fast = (time.perf_counter() - began) / 2000
    began = time.perf_counter()
    for _ in range(20):
        sm3_hex_gmssl(data)
    slow = (time.perf_counter() - began) / 20
    print(
        f"SM3 of 400 bytes: {fast * 1e6:.1f} µs ({'OpenSSL' if OPENSSL_SM3 else 'gmssl'}); "
        f"gmssl alone {slow * 1e3:.2f} ms"
    )
    print(measure(args.events, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
