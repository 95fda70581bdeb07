"""Guide search latency on the demo catalog: cold first query, then p50/p95 of typical and
adversarial queries through the page, the API and the search itself (docs/rules/search.md).

Usage: .venv/bin/python -m bench.search_bench [--rounds 20] [--database-url URL] [--json-out F]
Migrates a scratch database (a fresh SQLite data directory unless ``--database-url``), loads the
demo catalog (92 items, their aliases) with seeded usage counts, then:

- **cold**: a new Python process sets Django up and times its first search (jieba's dictionary
  load and the index build included) and its first page — once without jieba's cache file in the
  data directory (a first start), once with it (every later start), and once after the warm-up
  ``onewindow run`` does before its web workers start (what a citizen meets);
- **warm**: ``--rounds`` passes over the typical and the adversarial queries, each through the
  search function, the guide list page and ``/api/v1/search/items/`` (Django's test client, in
  this process: no network, no server), and prints median, p95 and max per kind.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

from bench.harness import ROOT, median, percentile, scratch_database

TYPICAL = [
    "办护照",
    "营业执照",
    "开饭店",
    "开餐馆",
    "yyzz",
    "yingyezhizhao",
    "营业执昭",
    "办理食品经营许可证",
    "我想开个小卖部",
    "房产证",
    "取公积金",
    "怎么注册公司",
    "许可",
    "食品 小",
    "消防验收",
    "环评",
]
ADVERSARIAL = [
    "？？？！！！……",
    "😀😀😀🎉",
    "我要怎么办理",
    "护" * 1000,
    "营业执照" * 250,
    "a" * 1000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "'; DROP TABLE catalog_item; --",
    "%_%\\",
    "不存在的事项名称",
    "x y z w v u t s r q p",
]


@dataclass(frozen=True)
class Figures:
    """Latency figures in milliseconds."""

    count: int
    p50_ms: float
    p95_ms: float
    max_ms: float


def figures(seconds: Iterable[float]) -> Figures:
    values = list(seconds)
    return Figures(
        count=len(values),
        p50_ms=median(values) * 1000,
        p95_ms=percentile(values, 0.95) * 1000,
        max_ms=max(values, default=float("nan")) * 1000,
    )


def timings(run: Callable[[str], object], queries: list[str], rounds: int) -> list[float]:
    """Seconds each call of ``run(query)`` took, ``rounds`` passes over ``queries``."""
    spent = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            run(query)
            spent.append(time.perf_counter() - started)
    return spent


def _setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def prepare() -> None:
    """Migrate, load the demo catalog and give items seeded usage counts."""
    import random

    from django.core.management import call_command

    from onewindow.catalog.models import Item
    from onewindow.demo.catalog import load_demo
    from onewindow.search.models import ItemUsage

    call_command("migrate", interactive=False, verbosity=0)
    load_demo(cases=0)
    rng = random.Random(12)
    ItemUsage.objects.bulk_create(
        ItemUsage(item_id=pk, count=rng.randint(0, 400))
        for pk in Item.objects.values_list("pk", flat=True)
    )


def cold_probe(warm_first: bool) -> dict[str, float]:
    """In a fresh process: the first search, then the first page (milliseconds); with
    ``warm_first``, after the start-up warm-up ``onewindow run`` does (timed apart)."""
    from django.test import Client

    from onewindow.search.index import search_warm
    from onewindow.search.selectors import search_items

    warm_up = 0.0
    if warm_first:
        started = time.perf_counter()
        search_warm()
        warm_up = time.perf_counter() - started
    started = time.perf_counter()
    search_items(query="办护照")
    first_search = time.perf_counter() - started
    started = time.perf_counter()
    response = Client().get("/guides/?q=" + quote("营业执照"))
    first_page = time.perf_counter() - started
    assert response.status_code == 200
    return {
        "warm_up_ms": warm_up * 1000,
        "first_search_ms": first_search * 1000,
        "first_page_ms": first_page * 1000,
    }


def run_cold(env: dict[str, str], *, warm_first: bool = False) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.search_bench", "--cold-probe"]
    command += ["--warm-first"] if warm_first else []
    done = subprocess.run(
        command, env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def warm(rounds: int) -> dict[str, Figures]:
    from django.test import Client

    from onewindow.search.selectors import search_items

    client = Client()

    def page(query: str) -> None:
        assert client.get("/guides/", {"q": query}).status_code == 200

    def api(query: str) -> None:
        assert client.get("/api/v1/search/items/", {"q": query}).status_code == 200

    def search(query: str) -> None:
        search_items(query=query)

    for query in TYPICAL + ADVERSARIAL:  # warm-up: index, jieba, templates
        page(query)
    results = {}
    for label, queries in (("typical", TYPICAL), ("adversarial", ADVERSARIAL)):
        for kind, run in (("search", search), ("page", page), ("api", api)):
            results[f"{label} {kind}"] = figures(timings(run, queries, rounds))
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--json-out", default=None)
    parser.add_argument("--cold-probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--warm-first", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_probe:
        import django

        django.setup()
        print(json.dumps(cold_probe(args.warm_first)))
        return 0
    env, cleanup = scratch_database(args.database_url)
    env["API_THROTTLE_ANON"] = "1000000/min"  # the bench measures the search, not the throttle
    try:
        _setup(env)
        prepare()
        from onewindow.search.index import cache_dir

        shutil.rmtree(cache_dir(), ignore_errors=True)
        cold_first = run_cold(env)  # no jieba cache file yet: it is written now
        cold_later = run_cold(env)
        cold_warmed = run_cold(env, warm_first=True)
        warm_figures = warm(args.rounds)
    finally:
        cleanup()
        shutil.rmtree(env["ONEWINDOW_DATA_DIR"], ignore_errors=True)
    print("guide search on the demo catalog (92 items)")
    print(
        f"  cold, first start (no jieba cache): first search {cold_first['first_search_ms']:.0f} ms,"
        f" then first page {cold_first['first_page_ms']:.0f} ms"
    )
    print(
        f"  cold, later starts (jieba cache):   first search {cold_later['first_search_ms']:.0f} ms,"
        f" then first page {cold_later['first_page_ms']:.0f} ms"
    )
    print(
        f"  with the start-up warm-up of `onewindow run` ({cold_warmed['warm_up_ms']:.0f} ms before"
        f" serving): first search {cold_warmed['first_search_ms']:.0f} ms,"
        f" first page {cold_warmed['first_page_ms']:.0f} ms"
    )
    for label, f in warm_figures.items():
        print(
            f"  {label:<20} {f.count:>5} calls  median {f.p50_ms:6.1f} ms"
            f"  p95 {f.p95_ms:6.1f} ms  max {f.max_ms:6.1f} ms"
        )
    if args.json_out:
        report = {
            "cold_first_start": cold_first,
            "cold_later_start": cold_later,
            "cold_after_warm_up": cold_warmed,
            "warm": {label: asdict(f) for label, f in warm_figures.items()},
        }
        Path(args.json_out).write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
