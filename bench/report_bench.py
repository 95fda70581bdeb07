"""Situation reports (issue 10 item 21): how long the reports queued at start-up take to generate.

Usage: .venv/bin/python -m bench.report_bench [--cases 200]
Builds a scratch SQLite data directory under /tmp/ow-report-bench (replaced each run), loads the
demo catalog and ``--cases`` generated cases, queues every scheduled report exactly as the first
tick of a fresh `onewindow run` does, then runs the worker's report job until the queue is empty
and prints the count, the total and the per-report median and maximum.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from bench.harness import median

DATA_DIR = Path("/tmp/ow-report-bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    DATA_DIR.mkdir(parents=True)
    os.environ["ONEWINDOW_DATA_DIR"] = str(DATA_DIR)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from onewindow.demo import catalog as demo
    from onewindow.supervision.models import ReportStatus, SituationReport
    from onewindow.supervision.services.reports import report_generate_pending, reports_schedule

    demo.load_demo(progress=False, cases=args.cases)
    SituationReport.objects.all().delete()
    queued = reports_schedule()
    timings: list[float] = []
    started = time.perf_counter()
    while SituationReport.objects.filter(status=ReportStatus.PENDING).exists():
        one = time.perf_counter()
        report_generate_pending(limit=1)
        timings.append(time.perf_counter() - one)
    total = time.perf_counter() - started
    print(
        f"{queued} reports queued at start-up ({args.cases} demo cases), all done in {total:.2f} s"
    )
    if timings:
        print(
            f"per report: median {median(timings):.3f} s, max {max(timings):.3f} s "
            f"(the first one loads the CJK font)"
        )


if __name__ == "__main__":
    main()
