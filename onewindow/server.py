"""``onewindow run``, ``web``, ``worker`` and ``migrate``: serve the platform and run its
background work.

The web server is gunicorn (threaded workers) rather than Django's runserver; the background
work runs in a separate child process (``onewindow worker``, on the engine TASK_ENGINE names:
docs/rules/tasks.md §X1) so a slow job never holds a web worker. A thread of the gunicorn master
(``Supervised``) watches that child and starts it again when it dies (killed, out of memory, a
crash), waiting a little longer after each quick death so a child that cannot start does not
spin: gunicorn restarts its dead web workers itself, and the background work deserves the same.
``run`` is the one-machine start (migrates, loads the demo, serves, runs the worker); production
splits it (docs/operations.md §W8): ``migrate`` once per release, ``web`` on every web node,
``worker`` on the worker machines.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
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
    web = sub.add_parser(
        "web",
        help="production: serve only (gunicorn); never migrates or loads demo data, refuses to "
        "start on an unmigrated database",
    )
    web.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    web.add_argument("--port", type=int, default=8000)
    web.set_defaults(func=web_command)
    migrate = sub.add_parser(
        "migrate",
        help="production release step: apply migrations and collect the static files",
    )
    migrate.add_argument(
        "--no-static", action="store_true", help="only migrate; do not collect static files"
    )
    migrate.set_defaults(func=migrate_command)


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
    background = Supervised([sys.executable, "-m", "onewindow.cli", "worker"], env=os.environ)
    background.start()
    try:
        _gunicorn(
            args.host,
            args.port,
            settings.WEB_WORKERS,
            settings.WEB_THREADS,
            on_stop=background.stopping,
        )
    finally:
        background.stop()
    return 0


def web_command(args: argparse.Namespace) -> int:
    """docs/operations.md §W8: a web node serves the database as the release's migrations left
    it; it never migrates (several nodes starting at once would race) and never loads demo
    data."""
    if not 0 < args.port < 65536:
        print(f"端口无效：{args.port}", file=sys.stderr)
        return 2
    from onewindow.core.commands import CommandFailed, unapplied_migrations

    setup_django(migrate=False)
    pending = unapplied_migrations()
    if pending:
        raise CommandFailed(
            f"数据库还有 {len(pending)} 个迁移未应用（{', '.join(pending[:3])}…），"
            f"请先运行 onewindow migrate（systemctl start onewindow-migrate）"
            f"(the database lacks {len(pending)} migrations: run `onewindow migrate` first)"
        )
    from django.conf import settings

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if settings.STATIC_MANIFEST and not manifest.is_file():
        raise CommandFailed(
            f"STATIC_MANIFEST=true 但静态文件尚未收集（缺少 {manifest}），请先运行 onewindow migrate "
            f"(static files not collected: run `onewindow migrate` first)"
        )
    _search_warm()
    _gunicorn(args.host, args.port, settings.WEB_WORKERS, settings.WEB_THREADS)
    return 0


def migrate_command(args: argparse.Namespace) -> int:
    """docs/operations.md §W8: the release step, run once before the web nodes restart (on
    each machine: the first applies the migrations, the others only collect static files)."""
    setup_django()  # applies pending migrations, one line on stderr if any
    print("数据库已是最新 (database up to date)")
    if not args.no_static:
        from django.conf import settings
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        print(f"静态文件已收集到 {settings.STATIC_ROOT} (static files collected)")
    return 0


class Supervised:
    """A child process kept running until ``stop``: when it dies it is started again after
    ``min_delay`` seconds, doubled after each death that came within ``healthy_after`` seconds of
    its start (up to ``max_delay``), back to ``min_delay`` once it has run that long.

    The watching thread polls rather than waits: gunicorn's master reaps every child it sees
    exit (its SIGCHLD handler waits on any pid), and ``Popen.poll`` reports such a child as
    exited all the same."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        env: Mapping[str, str],
        min_delay: float = 1.0,
        max_delay: float = 60.0,
        healthy_after: float = 60.0,
        poll: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.command = list(command)
        self.env = dict(env)
        self.min_delay, self.max_delay, self.healthy_after = min_delay, max_delay, healthy_after
        self.poll = poll
        self.clock = clock
        self.delays: list[float] = []  # the wait before each restart, for the tests and the log
        self.process: subprocess.Popen[bytes] | None = None
        self._started = 0.0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, name="background-supervisor")
        self._thread.daemon = True

    @property
    def restarts(self) -> int:
        return len(self.delays)

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def _spawn(self) -> None:
        with self._lock:
            if not self._stopping.is_set():
                self.process = subprocess.Popen(self.command, env=self.env)
                self._started = self.clock()

    def _watch(self) -> None:
        delay = self.min_delay
        while not self._stopping.wait(self.poll):
            process = self.process
            if process is None or process.poll() is None:
                continue
            if self.clock() - self._started >= self.healthy_after:
                delay = self.min_delay
            print(
                f"后台任务进程 {process.pid} 已退出（{process.returncode}），{delay:g} 秒后重启。"
                f" (background worker exited; restarting in {delay:g} s)",
                file=sys.stderr,
                flush=True,
            )
            self.delays.append(delay)
            if self._stopping.wait(delay):
                return
            self._spawn()
            delay = min(delay * 2, self.max_delay)

    def stopping(self) -> None:
        """Restart nothing from now on: the server is shutting down (the child may be getting
        the same SIGTERM from a process-group kill, and must not come back)."""
        with self._lock:
            self._stopping.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop watching, then end the child: SIGTERM, and SIGKILL after ``timeout`` seconds."""
        self.stopping()
        if self._thread.is_alive():
            self._thread.join(timeout=self.poll + 1)
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


def _search_warm() -> None:
    """jieba's dictionary and the search index, loaded once here: the forked web workers
    inherit them, so no citizen waits a second or more for the first search
    (docs/rules/search.md §N7)."""
    from django.db import connections

    from onewindow.search.index import search_warm

    search_warm()
    connections.close_all()  # the workers open their own


def _nothing() -> None:
    pass


def _gunicorn(
    host: str, port: int, workers: int, threads: int, on_stop: Callable[[], None] = _nothing
) -> None:
    """Serve on gunicorn; ``on_stop`` is called as soon as the master is told to stop (SIGTERM,
    SIGINT or SIGQUIT), before it waits for its workers."""
    from django.conf import settings
    from gunicorn.app.base import BaseApplication
    from gunicorn.arbiter import Arbiter

    from onewindow.wsgi import application

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                # docs/operations.md §W7: one access line a request, written by
                # core.middleware.request_context with the request id; gunicorn's own lines
                # (boot, worker timeouts) in the same format through settings.LOGGING.
                "accesslog": None,
                "logconfig_dict": settings.LOGGING,
                "timeout": 60,
                "graceful_timeout": 10,
                # gunicorn's control socket sits at one path in the user's home: two instances
                # on a machine (onewindow-web@8000, @8001) would fight over it; nothing uses it.
                "control_socket_disable": True,
            }.items():
                if key in self.cfg.settings:  # control_socket_disable: gunicorn 24 and later
                    self.cfg.set(key, value)

        def load(self) -> Any:
            return application

        def run(self) -> None:  # BaseApplication.run with our arbiter
            try:
                Stopping(self).run()
            except RuntimeError as exc:
                print(f"\nError: {exc}\n", file=sys.stderr, flush=True)
                sys.exit(1)

    class Stopping(Arbiter):  # type: ignore[misc]
        def handle_term(self) -> None:
            on_stop()
            super().handle_term()

        def handle_int(self) -> None:
            on_stop()
            super().handle_int()

        def handle_quit(self) -> None:
            on_stop()
            super().handle_quit()

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
