# Shortcuts behind the two README commands. `make help` lists them.
.PHONY: help run test ci lint bench bench-calendar bench-guides bench-cases bench-review bench-sweep bench-reports bench-search bench-stats bench-peers bench-scaleout bench-report bench-province bench-overhead bench-openloop bench-writers

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

run:  ## README command 1: serve the platform with demo data on 127.0.0.1:8000
	bash scripts/demo.sh

test:  ## README command 2: install test deps, lint, type-check, run the suite (SQLite, and PostgreSQL if TEST_DATABASE_URL)
	bash scripts/test.sh

ci:  ## what CI runs: the test command on SQLite and on a throwaway PostgreSQL database
	bash .ci/run

lint:  ## ruff and mypy only
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy onewindow bench

bench: bench-calendar bench-guides bench-cases bench-review bench-overhead bench-openloop bench-writers bench-reports bench-sweep bench-search bench-stats bench-peers bench-scaleout bench-province  ## all benchmarks (figures go to stdout)

bench-calendar:  ## working-day calendar operations per second vs a naive day loop
	.venv/bin/python -m bench.calendar_bench

bench-guides:  ## guide list median/p99 latency at 20 concurrent clients (gunicorn, SQLite)
	.venv/bin/python -m bench.guide_list_bench --clients 20 --requests 4000

bench-search:  ## guide search: cold first query (jieba load, index build), then p50/p95 of typical and adversarial queries (search, page, API) on the demo catalog
	.venv/bin/python -m bench.search_bench --rounds 20

bench-cases:  ## API submissions/s and progress-query p50/p99 at 50 clients, beside bare views (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
	.venv/bin/python -m bench.cases_bench
	@if [ -n "$$TEST_DATABASE_URL" ]; then .venv/bin/python -m bench.cases_bench --database-url "$$TEST_DATABASE_URL"; fi

bench-review:  ## review task completions/s (opinion API with the join) vs a bare conditional UPDATE, and inbox p50/p99 with 100,000 open tasks (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
	.venv/bin/python -m bench.review_bench
	@if [ -n "$$TEST_DATABASE_URL" ]; then .venv/bin/python -m bench.review_bench --database-url "$$TEST_DATABASE_URL"; fi

# Where bench-overhead, bench-openloop and bench-writers write their JSON (for bench-report).
BENCH_OUT ?= /tmp/ow-bench
bench-overhead:  ## submission, acceptance and task completion through the API vs bare views doing the same statements in hand-written SQL (goal >= 0.5x), and vs a single INSERT (SQLite; PostgreSQL database ow_overhead_bench too when TEST_DATABASE_URL is set)
	@mkdir -p $(BENCH_OUT)
	.venv/bin/python -m bench.overhead_bench --json-out $(BENCH_OUT)/overhead-sqlite.json
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		url=$$(echo "$$TEST_DATABASE_URL" | sed 's#/[^/]*$$#/ow_overhead_bench#'); \
		.venv/bin/python -m bench.overhead_bench --database-url "$$url" --json-out $(BENCH_OUT)/overhead-postgres.json; fi

bench-openloop:  ## p50/p99 at half the saturation rate with open-loop (Poisson) arrivals: submission, acceptance, task completion, progress query, reviewer inbox with 100,000 open tasks (SQLite; PostgreSQL database ow_openloop_bench too when TEST_DATABASE_URL is set)
	@mkdir -p $(BENCH_OUT)
	.venv/bin/python -m bench.openloop --json-out $(BENCH_OUT)/openloop-sqlite.json
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		url=$$(echo "$$TEST_DATABASE_URL" | sed 's#/[^/]*$$#/ow_openloop_bench#'); \
		.venv/bin/python -m bench.openloop --database-url "$$url" --json-out $(BENCH_OUT)/openloop-postgres.json; fi

bench-writers:  ## SQLite submissions at 8 closed-loop clients: p50/p99 with SQLite's busy handler vs the writer queue (SQLITE_WRITE_QUEUE=0/1), alternating runs
	@mkdir -p $(BENCH_OUT)
	.venv/bin/python -m bench.writers_bench --json-out $(BENCH_OUT)/writers-sqlite.json

bench-reports:  ## situation reports queued at start-up: time until all are generated, per-report median/max (200 demo cases, SQLite under /tmp)
	.venv/bin/python -m bench.report_bench --cases 200

# Scale of bench-sweep: make bench-sweep SWEEP_ROWS=10000000 SWEEP_TASKS=1000000 (the goal's scale, docs/rules/supervision.md §D6).
SWEEP_ROWS ?= 1000000
SWEEP_TASKS ?= 100000
bench-sweep:  ## supervision sweep over generated data (SWEEP_ROWS rows, SWEEP_TASKS open tasks): first/steady pass and longest write batch vs a set-based INSERT…SELECT, submission p50/p99 idle vs during the sweep (SQLite under /tmp; PostgreSQL database ow_sweep_bench too when TEST_DATABASE_URL is set)
	.venv/bin/python -m bench.sweep_bench --generate --rows $(SWEEP_ROWS) --open-tasks $(SWEEP_TASKS) --database-url sqlite:////tmp/ow-sweep/bench.sqlite3 --json-out /tmp/ow-sweep/bench-sqlite.json
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		url=$$(echo "$$TEST_DATABASE_URL" | sed 's#/[^/]*$$#/ow_sweep_bench#'); \
		.venv/bin/python -m bench.sweep_bench --generate --rows $(SWEEP_ROWS) --open-tasks $(SWEEP_TASKS) --database-url "$$url" --json-out /tmp/ow-sweep/bench-postgres.json && \
		.venv/bin/python -m bench.sweep_bench --table /tmp/ow-sweep/bench-sqlite.json /tmp/ow-sweep/bench-postgres.json; fi

# Scale of bench-stats: the goal's is 10,000,000 cases (about 11 minutes to generate on SQLite);
# make bench-stats STATS_CASES=1000000 for a quicker run.
STATS_CASES ?= 10000000
bench-stats:  ## statistics over STATS_CASES generated cases: rebuild time, public page and dashboard p50/p95 from the rollups beside the raw scan, a burst of 10,000 service calls (rollups current at commit?) and the per-call cost of the statistics (SQLite under /tmp; PostgreSQL database ow_stats_bench too when TEST_DATABASE_URL is set)
	.venv/bin/python -m bench.stats_bench --generate --cases $(STATS_CASES) --database-url sqlite:////tmp/ow-stats/bench.sqlite3 --json-out /tmp/ow-stats/bench-sqlite.json
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		url=$$(echo "$$TEST_DATABASE_URL" | sed 's#/[^/]*$$#/ow_stats_bench#'); \
		.venv/bin/python -m bench.stats_bench --generate --cases $(STATS_CASES) --database-url "$$url" --json-out /tmp/ow-stats/bench-postgres.json && \
		.venv/bin/python -m bench.stats_bench --table /tmp/ow-stats/bench-sqlite.json /tmp/ow-stats/bench-postgres.json; fi

bench-peers:  ## the parallel approval (accept, 3 department tasks, join, decision) on OneWindow, django-viewflow and SpiffWorkflow side by side: CPU ms and SQL statements per case and per step (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
	.venv/bin/python -m bench.peers_bench --json-out /tmp/ow-bench-report/peers-sqlite.json
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		url=$$(echo "$$TEST_DATABASE_URL" | sed 's#/[^/]*$$#/ow_peers_bench#'); \
		.venv/bin/python -m bench.peers_bench --database-url "$$url" --json-out /tmp/ow-bench-report/peers-postgresql.json; fi

bench-scaleout:  ## throughput of 2 web processes vs 1 (each pinned to one core with taskset) on PostgreSQL: database ow_scaleout_bench on the TEST_DATABASE_URL server (skipped without it)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		url=$$(echo "$$TEST_DATABASE_URL" | sed 's#/[^/]*$$#/ow_scaleout_bench#'); \
		.venv/bin/python -m bench.scaleout_bench --database-url "$$url" --json-out /tmp/ow-bench-report/scaleout-postgresql.json; \
	else echo "bench-scaleout: PostgreSQL only; set TEST_DATABASE_URL"; fi

# make bench-report QUICK=1: every benchmark at a small scale (minutes rather than hours).
QUICK ?=
bench-report:  ## every benchmark beside its baseline (SQLite; PostgreSQL too when TEST_DATABASE_URL is set), JSON in /tmp/ow-bench-report, then docs/BENCHMARKS.md; QUICK=1 for a shorter run
	.venv/bin/python -m bench.report $(if $(QUICK),--quick,)
# Scale of bench-province: the goal's is 10,000,000 cases with 1,000,000 open (about 40 minutes to
# generate on PostgreSQL); make bench-province PROVINCE_CASES=1000000 PROVINCE_OPEN=100000 for a
# quicker run, PROVINCE_FLAGS=--skip-generate to reuse the database (docs/rules/scale.md §Y1).
PROVINCE_CASES ?= 10000000
PROVINCE_OPEN ?= 1000000
PROVINCE_FLAGS ?=
bench-province:  ## the pages a province reads every minute (case list, progress, queue, inbox, console, statistics) at PROVINCE_CASES cases / PROVINCE_OPEN open on PostgreSQL database ow_province_bench: statements and plans, p50/p99 closed-loop and at half load
	@url=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/onewindow}; url=$$(echo "$$url" | sed 's#/[^/]*$$#/ow_province_bench#'); \
	.venv/bin/python -m bench.province_bench --database-url "$$url" --cases $(PROVINCE_CASES) --open $(PROVINCE_OPEN) --explain $(PROVINCE_FLAGS) --json-out /tmp/ow-province/bench-postgres.json
