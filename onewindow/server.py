"""``onewindow run`` and ``onewindow worker``: serve the platform and run its background work.

The web server is gunicorn (threaded workers) rather than Django's runserver; the background
work runs in a separate child process (``onewindow worker``, on the engine TASK_ENGINE names:
docs/rules/tasks.md §X1) so a slow job never holds a web worker.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from typing import Any

from onewindow.core.commands import CommandFailed, setup_django


def add_parsers(sub: Any) -> None:
    run = sub.add_parser(
        "run", help="migrate, load demo data if empty, serve and run the background loop"
    )
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument(
        "--no-demo", action="store_true", help="do not load demo data into an empty database"
    )
    run.add_argument(
        "--demo-cases",
        type=int,
        default=None,
        metavar="N",
        help="how many cases the demo generates over the past year (default 200; 0: none)",
    )
    run.set_defaults(func=run_command)
    worker = sub.add_parser(
        "worker",
        help="run the background work: the periodic jobs and, under procrastinate, the queued "
        "jobs (any number of workers, on any machine)",
    )
    worker.add_argument(
        "--engine",
        choices=("embedded", "procrastinate"),
        default=None,
        help="task engine (default: TASK_ENGINE, embedded unless set)",
    )
    worker.add_argument(
        "--concurrency",
        type=int,
        default=None,
        metavar="N",
        help="procrastinate: jobs run at once in this worker (default: WORKER_CONCURRENCY, 2)",
    )
    worker.set_defaults(func=worker_command)


def prepare(*, load_demo: bool, demo_cases: int | None = None) -> bool:
    """Migrate and, on an empty database, load the demo data. True when demo data was loaded."""
    setup_django()  # migrates first
    from onewindow.demo.catalog import demo_data_present

    if load_demo and not any(demo_data_present().values()):
        from onewindow.demo.catalog import load_demo as load

        load(progress=True, cases=demo_cases)
        return True
    return False


def run_command(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        print(f"端口无效：{args.port}", file=sys.stderr)
        return 2
    if args.demo_cases is not None and args.demo_cases < 0:
        print(f"演示办件数无效：{args.demo_cases}", file=sys.stderr)
        return 2
    prepare(load_demo=not args.no_demo, demo_cases=args.demo_cases)
    from django.conf import settings

    from onewindow.demo.catalog import print_logins

    url = f"http://{args.host if ':' not in args.host else f'[{args.host}]'}:{args.port}/"
    print(f"\nOneWindow 一窗通办 正在运行 / running at {url}")
    print(f"数据库 / database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    print_logins()
    _search_warm()
    worker = subprocess.Popen(
        [sys.executable, "-m", "onewindow.cli", "worker"], env=os.environ.copy()
    )
    try:
        _gunicorn(args.host, args.port, settings.WEB_WORKERS, settings.WEB_THREADS)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
    return 0


def _search_warm() -> None:
    """jieba's dictionary and the search index, loaded once here: the forked web workers
    inherit them, so no citizen waits a second or more for the first search
    (docs/rules/search.md §N7)."""
    from django.db import connections

    from onewindow.search.index import search_warm

    search_warm()
    connections.close_all()  # the workers open their own


def _gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from onewindow.wsgi import application

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "accesslog": "-",
                "timeout": 60,
                "graceful_timeout": 10,
            }.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Server().run()


def worker_command(args: argparse.Namespace) -> int:
    """Run the configured engine (docs/rules/tasks.md §X1) until SIGTERM or SIGINT."""
    if args.concurrency is not None and args.concurrency < 1:
        print(f"并发数无效：{args.concurrency}", file=sys.stderr)
        return 2
    setup_django()
    from django.conf import settings

    from onewindow.core.engine import PROCRASTINATE, run_procrastinate
    from onewindow.core.jobs import run_loop, worker_calls_thread

    engine = args.engine or settings.TASK_ENGINE
    if engine == PROCRASTINATE and settings.IS_SQLITE:
        raise CommandFailed(
            "procrastinate 需要 PostgreSQL：请设置 DATABASE_URL=postgres://… "
            "(the procrastinate engine needs PostgreSQL)"
        )
    stop = threading.Event()
    # Calls made in every worker process whichever engine runs (onewindow.core.jobs.every_worker).
    worker_calls_thread(engine, stop)
    try:
        if engine == PROCRASTINATE:  # procrastinate stops on SIGTERM and SIGINT itself
            run_procrastinate(concurrency=args.concurrency or settings.WORKER_CONCURRENCY)
        else:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
            run_loop(stop)
    finally:
        stop.set()
    return 0
