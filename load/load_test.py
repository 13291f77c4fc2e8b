"""Load test: officers posting updates and councillors reading, against gunicorn on PostgreSQL.

    python load/load_test.py [--officers 50] [--councillors 20] [--duration 120]

Steps: (1) make the load database (default `portal_load`, or LOAD_DATABASE_URL; never the demo's) with
migrations, the demo data and the load-test people (load/setup_data.py);
(2) start gunicorn with production settings (DEBUG off, manifest static files)
on --port; (3) run the officers and councillors as threads with their own
sessions, through the real sign-in and update forms (CSRF included); (4) count
every update sent against what the database stored, keyed by a unique marker
in each commentary, and write var/load/results.json and the results section of
docs/load-test.md.

Every officer posts only to actions they lead; one post in ten is sent twice,
as a double click would, and must be stored once.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RESULTS = ROOT / "var" / "load" / "results.json"
DOC = ROOT / "docs" / "load-test.md"
DEMO_DATE = "2023-01-16"
Q3 = "20223"


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.errors = defaultdict(int)
        self.error_samples: list[str] = []
        self.acknowledged: set[str] = set()
        self.unacknowledged: set[str] = set()
        self.sent = 0
        self.double_submits = 0

    def record(self, kind: str, seconds: float, ok: bool, detail: str = ""):
        with self.lock:
            self.latency[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1
                if len(self.error_samples) < 20:
                    self.error_samples.append(f"{kind}: {detail}"[:300])


class Browser:
    """One person's session: cookies, CSRF, and timings by kind of request."""

    def __init__(self, base: str, stats: Stats):
        self.base = base
        self.stats = stats
        self.http = requests.Session()
        # Gunicorn sits where the TLS proxy would: say the request came over HTTPS.
        self.http.headers.update({"X-Forwarded-Proto": "https", "User-Agent": "portal-load-test"})

    def _fix_cookies(self):
        # Production cookies are Secure; the proxy would carry them over TLS.
        for cookie in self.http.cookies:
            cookie.secure = False

    def request(self, kind: str, method: str, path: str, expect: tuple[int, ...] = (200,), **kwargs):
        url = self.base + path
        headers = kwargs.pop("headers", {})
        headers.setdefault("Referer", "https://" + urllib.parse.urlsplit(self.base).netloc + path)
        start = time.perf_counter()
        try:
            response = self.http.request(
                method, url, headers=headers, allow_redirects=False, timeout=120, **kwargs
            )
        except requests.RequestException as error:
            self.stats.record(kind, time.perf_counter() - start, False, repr(error))
            return None
        elapsed = time.perf_counter() - start
        self._fix_cookies()
        ok = response.status_code in expect
        self.stats.record(kind, elapsed, ok, f"{method} {path} -> {response.status_code}")
        return response

    def csrf(self) -> str:
        return self.http.cookies.get("csrftoken", "")

    def sign_in(self, username: str, password: str) -> bool:
        self.request("sign_in_page", "GET", "/accounts/login/")
        response = self.request(
            "sign_in",
            "POST",
            "/accounts/login/",
            expect=(302,),
            data={"username": username, "password": password, "csrfmiddlewaretoken": self.csrf()},
        )
        return response is not None and response.status_code == 302


SEEN = re.compile(r'name="seen_update_id"\s+value="(\d*)"|value="(\d*)"\s+name="seen_update_id"')


def officer_loop(base, stats, username, password, actions, run, stop_at, think, ramp):
    # People arrive over the ramp-up, not all in the same second.
    time.sleep(random.uniform(0, ramp))
    me = Browser(base, stats)
    if not me.sign_in(username, password):
        return
    seq = 0
    rng = random.Random(username)
    while time.monotonic() < stop_at:
        action = rng.choice(actions)
        form = me.request("update_form", "GET", f"/actions/{action}/update/")
        if form is None or form.status_code != 200:
            time.sleep(think)
            continue
        match = SEEN.search(form.text)
        seen = (match.group(1) or match.group(2) or "") if match else ""
        seq += 1
        marker = f"load-{run}-{username}-{seq}"
        data = {
            "csrfmiddlewaretoken": me.csrf(),
            "seen_update_id": seen,
            "quarter": Q3,
            "partner": "",
            "change": "changed",
            "no_change_reason": "",
            "status": "in_progress",
            "rag": rng.choice(["green", "amber", "red"]),
            "percent_complete": str(rng.randint(1, 99)),
            "commentary": f"{marker} progress as planned; suppliers on track.",
            "next_steps": "Carry on.",
            "revised_due_date_0": "",
            "revised_due_date_1": "",
            "revised_due_date_2": "",
            "revision_reason": "",
        }
        with stats.lock:
            stats.sent += 1
        response = me.request("update_post", "POST", f"/actions/{action}/update/", expect=(302,), data=data)
        acknowledged = response is not None and response.status_code == 302
        if rng.random() < 0.1:
            # A double click: the same form again. The portal must store it once.
            again = me.request("update_post", "POST", f"/actions/{action}/update/", expect=(302,), data=data)
            acknowledged = acknowledged or (again is not None and again.status_code == 302)
            with stats.lock:
                stats.double_submits += 1
        with stats.lock:
            (stats.acknowledged if acknowledged else stats.unacknowledged).add(marker)
        if acknowledged:
            me.request("action_detail", "GET", f"/actions/{action}/")
        time.sleep(rng.uniform(think / 2, think * 1.5))


def councillor_loop(base, stats, username, password, readable, stop_at, think, ramp):
    time.sleep(random.uniform(0, ramp))
    me = Browser(base, stats)
    if not me.sign_in(username, password):
        return
    rng = random.Random(username)
    pages = [
        ("dashboard", lambda: "/"),
        ("action_list", lambda: "/actions/"),
        ("action_list_filtered", lambda: f"/actions/?rag={rng.choice(['red', 'amber', 'green'])}&sort=due"),
        ("action_detail", lambda: f"/actions/{rng.choice(readable)}/"),
        ("reports", lambda: "/reports/"),
    ]
    while time.monotonic() < stop_at:
        kind, path = rng.choice(pages)
        me.request(kind, "GET", path())
        time.sleep(rng.uniform(think / 2, think * 1.5))


def _django(env, *args, capture=False):
    return subprocess.run(
        [PY, *args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture
    ).stdout


def prepare_env(db_url: str) -> dict:
    """For migrating and loading the demo data: debug asked for, as make run does (the demo
    data is never loaded under production settings)."""
    return {**os.environ, "DATABASE_URL": db_url, "PORTAL_TODAY": DEMO_DATE, "DEBUG": "true"}


def server_env(db_url: str) -> dict:
    """For gunicorn: production settings, with a key of its own."""
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "PORTAL_TODAY": DEMO_DATE,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }


def prepare(db_url: str, *, quick: bool) -> dict:
    parsed = urllib.parse.urlsplit(db_url)
    name = parsed.path.lstrip("/")
    admin_url = db_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    env = prepare_env(db_url)
    print(f"Preparing {name}: migrate, demo data, load-test people...", flush=True)
    if not quick:
        _django(env, "manage.py", "migrate", "--no-input", "-v0")
        _django(env, "manage.py", "load_demo_data", capture=True)
    return json.loads(_django(env, "load/setup_data.py", capture=True).strip().splitlines()[-1])


def start_gunicorn(db_url: str, port: int, workers: int, threads: int, *, quick: bool) -> subprocess.Popen:
    env = server_env(db_url)
    if not quick:
        _django(env, "manage.py", "collectstatic", "--no-input", "-v0")
    server = subprocess.Popen(
        [
            str(Path(PY).with_name("gunicorn")),
            "ictstrategy.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--worker-class=gthread",
            f"--threads={threads}",
            "--timeout=120",
            # Longer than any pause between a person's requests, as behind the proxy:
            # otherwise a reused connection can be closed under the client.
            "--keep-alive=75",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "var" / "load" / "gunicorn.log", "w"),  # noqa: SIM115 - lives as long as the server
    )
    for _ in range(60):
        try:
            probe = requests.get(
                f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=2
            )
            if probe.status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz")


def measure_report_build(db_url: str) -> dict:
    """The Q3 board report built in a fresh interpreter under production settings, after the
    load: its pages, seconds and peak memory (load/report_build.py)."""
    out = subprocess.run(
        [PY, str(ROOT / "load" / "report_build.py")],
        cwd=ROOT,
        env=server_env(db_url),
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def machine_load() -> str:
    """uptime's 1, 5 and 15-minute load averages: the machine may be shared."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def count_stored(db_url: str, run: str) -> dict[str, int]:
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT split_part(commentary, ' ', 1), count(*) FROM actionplan_progressupdate "
            "WHERE commentary LIKE %s GROUP BY 1",
            (f"load-{run}-%",),
        ).fetchall()
    return dict(rows)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summarise(stats: Stats, stored: dict[str, int], args, started, elapsed) -> dict:
    kinds = {}
    for kind, values in sorted(stats.latency.items()):
        kinds[kind] = {
            "requests": len(values),
            "errors": stats.errors.get(kind, 0),
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(percentile(values, 95) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
        }
    acknowledged = stats.acknowledged
    lost = sorted(m for m in acknowledged if m not in stored)
    duplicated = sorted(m for m, n in stored.items() if n > 1)
    return {
        "started_utc": started,
        "duration_s": round(elapsed, 1),
        "officers": args.officers,
        "councillors": args.councillors,
        "gunicorn": {"workers": args.workers, "threads": args.threads},
        "ramp_up_s": args.ramp_up,
        "think_s": {"officer": args.officer_think, "councillor": args.councillor_think},
        "cpus": os.cpu_count(),
        "requests": sum(k["requests"] for k in kinds.values()),
        "errors": sum(k["errors"] for k in kinds.values()),
        "updates": {
            "sent": stats.sent,
            "double_submits": stats.double_submits,
            "acknowledged": len(acknowledged),
            "not_acknowledged": len(stats.unacknowledged),
            "stored": len(stored),
            "lost": len(lost),
            "duplicated": len(duplicated),
            "stored_without_acknowledgement": len([m for m in stored if m not in acknowledged]),
        },
        "by_kind": kinds,
        "error_samples": stats.error_samples,
    }


def write_doc(result: dict) -> None:
    u = result["updates"]
    lines = [
        "<!-- results:start (written by load/load_test.py) -->",
        f"Run of {result['started_utc']} UTC: {result['officers']} officers and {result['councillors']} "
        f"councillors for {result['duration_s']} s against gunicorn "
        f"({result['gunicorn']['workers']} workers x {result['gunicorn']['threads']} threads) "
        f"on PostgreSQL, on a {result['cpus']}-CPU machine shared "
        "with the load generator. Machine load average (1, 5, 15 min) at the start: "
        f"{result['load_average']['start']}; at the end: {result['load_average']['end']}.",
        "",
        f"- Requests: {result['requests']}; errors: {result['errors']}",
        f"- Updates sent: {u['sent']} (plus {u['double_submits']} deliberate double submits); acknowledged: "
        f"{u['acknowledged']}; stored: {u['stored']}; **lost: {u['lost']}; duplicated: {u['duplicated']}**",
        "",
        "| request kind | requests | errors | p50 ms | p95 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, k in result["by_kind"].items():
        lines.append(
            f"| {kind} | {k['requests']} | {k['errors']} | {k['p50_ms']} | {k['p95_ms']} | {k['max_ms']} |"
        )
    b = result.get("report_build")
    if b:
        lines += [
            "",
            f"Then the {b['quarter']} board report, with every stored update, built in a fresh process "
            f"(HTML and tagged PDF): {b['pages']} pages in {b['seconds']} s, "
            f"peak memory {b['peak_rss_mb']} MB.",
        ]
    lines.append("<!-- results:end -->")
    block = "\n".join(lines)
    text = DOC.read_text() if DOC.exists() else ""
    if "<!-- results:start" in text:
        text = re.sub(r"<!-- results:start.*?<!-- results:end -->", lambda _: block, text, flags=re.S)
    else:
        text += "\n## Latest results\n\n" + block + "\n"
    DOC.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_load"),
    )
    parser.add_argument("--port", type=int, default=8107)
    parser.add_argument("--officers", type=int, default=50)
    parser.add_argument("--councillors", type=int, default=20)
    parser.add_argument("--duration", type=float, default=120, help="Seconds of load, sign-ins included.")
    parser.add_argument("--officer-think", type=float, default=5.0, help="Mean seconds between posts.")
    parser.add_argument("--councillor-think", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--ramp-up", type=float, default=20, help="Seconds over which people arrive.")
    parser.add_argument(
        "--quick", action="store_true", help="Skip migrate, demo data and collectstatic (already done)."
    )
    parser.add_argument("--no-doc", action="store_true", help="Do not rewrite docs/load-test.md.")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("The load test runs on PostgreSQL: pass --database-url postgres://...")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    os.environ["LOAD_OFFICERS"], os.environ["LOAD_COUNCILLORS"] = str(args.officers), str(args.councillors)
    people = prepare(args.database_url, quick=args.quick)
    server = start_gunicorn(args.database_url, args.port, args.workers, args.threads, quick=args.quick)
    base = f"http://127.0.0.1:{args.port}"
    stats = Stats()
    run = secrets.token_hex(3)
    started = datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds")
    load_at_start = machine_load()
    try:
        begin = time.monotonic()
        stop_at = begin + args.duration
        threads = [
            threading.Thread(
                target=officer_loop,
                args=(
                    base,
                    stats,
                    name,
                    people["password"],
                    ids,
                    run,
                    stop_at,
                    args.officer_think,
                    args.ramp_up,
                ),
            )
            for name, ids in list(people["officers"].items())[: args.officers]
        ] + [
            threading.Thread(
                target=councillor_loop,
                args=(
                    base,
                    stats,
                    name,
                    people["password"],
                    people["readable_actions"],
                    stop_at,
                    args.councillor_think,
                    args.ramp_up,
                ),
            )
            for name in people["councillors"][: args.councillors]
        ]
        print(f"Run {run}: {len(threads)} users for {args.duration:.0f} s against {base}", flush=True)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - begin
    finally:
        server.terminate()
        server.wait(timeout=30)

    result = summarise(stats, count_stored(args.database_url, run), args, started, elapsed)
    result["load_average"] = {"start": load_at_start, "end": machine_load()}
    print("Building the Q3 board report with the stored updates...", flush=True)
    result["report_build"] = measure_report_build(args.database_url)
    RESULTS.write_text(json.dumps(result, indent=2))
    if not args.no_doc:
        write_doc(result)
    print(json.dumps({k: v for k, v in result.items() if k != "error_samples"}, indent=2))
    u = result["updates"]
    healthy = result["errors"] == 0 and u["lost"] == 0 and u["duplicated"] == 0
    print("PASS" if healthy else "FAIL: errors, lost or duplicated updates (see var/load/results.json)")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
