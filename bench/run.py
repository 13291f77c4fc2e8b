"""Run the benchmark: `python -m bench.run` (what `make bench` does).

Loads `load_demo_data --scale N` into a scratch database (SQLite at
var/bench/bench.sqlite3, or PostgreSQL when DATABASE_URL is set), signs in a
councillor with Django's test client, runs every registered case a few times to
warm up and then many times, prints a table and writes var/bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
DEMO_DAY = "2023-01-16"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="load_demo_data --scale (default 100)")
    parser.add_argument("--runs", type=int, default=60, help="timed runs per case (default 60)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs first (default 5)")
    parser.add_argument("--only", help="run only cases whose name contains this text")
    args = parser.parse_args(argv)

    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'bench.sqlite3'}")
    os.environ.setdefault("PORTAL_TODAY", DEMO_DAY)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ictstrategy.settings")
    sys.path.insert(0, str(ROOT))
    _ensure_postgres_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils.module_loading import autodiscover_modules

    from bench import cases  # noqa: F401 - registers the portal's own cases
    from bench.registry import CASES

    autodiscover_modules("bench_cases")
    vendor = connection.vendor
    print(f"Database: {vendor} ({connection.settings_dict['NAME']})", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    print(f"Loading the demo data at scale {args.scale} (skipped if already there)...", flush=True)
    call_command("load_demo_data", scale=args.scale, verbosity=0)
    # A fresh bulk load has no planner statistics (and, on PostgreSQL, no visibility
    # map for index-only scans) until autovacuum gets round to it: do what it would.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")

    ctx, actions, updates = _context()
    selected = [c for c in CASES.values() if not args.only or args.only in c.name or c.baseline]
    selected.sort(key=lambda c: not c.baseline)  # the baseline first: every ratio needs it
    results, baseline_p50 = [], None
    for case in selected:
        try:
            timings, queries = _measure(case, ctx, runs=case.runs or args.runs, warmup=args.warmup)
        except Exception as error:  # noqa: BLE001 - a case that cannot run is reported, not fatal
            from bench.registry import Skip

            label = "skipped" if isinstance(error, Skip) else "FAILED"
            print(f"  {case.name}: {label}: {error}", flush=True)
            continue
        p50, p95 = _percentile(timings, 50), _percentile(timings, 95)
        if case.baseline:
            baseline_p50 = p50
        results.append(
            {
                "name": case.name,
                "database": vendor,
                "actions": actions,
                "updates": updates,
                "queries": queries,
                "runs": len(timings),
                "p50_ms": round(p50, 2),
                "p95_ms": round(p95, 2),
                "baseline_ratio": round(p50 / baseline_p50, 2) if baseline_p50 else None,
                **ctx.figures.get(case.name, {}),
            }
        )
        print(f"  {case.name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries", flush=True)
        for key, value in ctx.figures.get(case.name, {}).items():
            print(f"    {key}: {value}", flush=True)
    _print_table(results)
    text = json.dumps(results, indent=2) + "\n"
    # results.json is this run; results-<database>.json keeps each database's latest run.
    for name in ("results.json", f"results-{vendor}.json"):
        (OUT / name).write_text(text)
        print(f"Wrote {OUT / name}")
    return 0


def _ensure_postgres_database(url: str) -> None:
    """Create the scratch PostgreSQL database if it is missing (SQLite makes its own file)."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    params = {k: v for k, v in {"host": config.get("HOST"), "port": config.get("PORT")}.items() if v}
    with psycopg.connect(
        dbname="postgres",
        user=config.get("USER"),
        password=config.get("PASSWORD") or None,
        autocommit=True,
        **params,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def _context():
    from django.test import Client

    from accounts.models import User
    from actionplan.models import Action, ActionPlan, ProgressUpdate
    from bench.registry import Context
    from core import clock
    from themes.models import PartnerAuthority

    plan = (
        ActionPlan.objects.filter(strategy__status="active", year__lte=clock.current_financial_year())
        .order_by("-year")
        .first()
    )
    client = Client()
    client.force_login(User.objects.get(username="councillor"))
    action = Action.objects.filter(plan=plan).order_by("-pk").first()
    ctx = Context(client=client, plan=plan, action=action, partner=PartnerAuthority.objects.get(slug="swale"))
    return ctx, Action.objects.count(), ProgressUpdate.objects.count()


def _measure(case, ctx, *, runs: int, warmup: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        if case.before_each:
            case.before_each(ctx)
        case.run(ctx)
    if case.before_each:
        case.before_each(ctx)
    # Django empties the query log when a request starts: begin from empty too.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        case.run(ctx)
    timings = []
    for _ in range(runs):
        if case.before_each:
            case.before_each(ctx)
        start = time.perf_counter()
        case.run(ctx)
        timings.append((time.perf_counter() - start) * 1000)
    return timings, len(captured.captured_queries)


def _percentile(values: list[float], pct: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def _print_table(results: list[dict]) -> None:
    if not results:
        return
    first = results[0]
    print(f"\n{first['actions']} actions, {first['updates']} updates, {first['database']}")
    header = f"{'case':<40} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'x base':>7}"
    print(header)
    print("-" * len(header))
    for r in results:
        ratio = "" if r["baseline_ratio"] is None else f"{r['baseline_ratio']:.2f}"
        print(f"{r['name']:<40} {r['queries']:>7} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {ratio:>7}")


if __name__ == "__main__":
    sys.exit(main())
