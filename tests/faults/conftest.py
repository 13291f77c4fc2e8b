"""The fault suite's stack: a real `celery worker` process, a Redis of its own (so it
can be stopped and restarted), PostgreSQL (a `<name>_faults` database both
processes open) and an aiosmtpd server on loopback that fails on demand.

Timings are shortened through the worker's environment (backoff 0.5 s, a claim stale
after 6 s, a visibility timeout of 15 s); the rules are the production ones.
The sweeper is run the way beat runs it: its task sent to the broker
(`Stack.sweep`), every two seconds while a test waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import email
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from ictstrategy.celery import app
from tests.celery_settings import override

BASE_DIR = Path(django_settings.BASE_DIR)
CEILING = 120  # seconds: a ceiling for a stuck pipeline, never a performance assertion
# BOARD_REPORT_STALE_CLAIM_SECONDS in the worker: longer than the retries (7.5 s), so a retry
# finds its own claim unexpired, and shorter than the visibility timeout (15 s).
STALE = 12
WORKER_ENV = {
    "PORTAL_TODAY": "2023-01-16",
    "BOARD_REPORT_RETRY_BACKOFF": "0.5",
    "BOARD_REPORT_SEND_RETRIES": "4",  # 0.5 + 1 + 2 + 4 = 7.5 s of retries
    "BOARD_REPORT_STALE_CLAIM_SECONDS": str(STALE),
    "BOARD_REPORT_BUILD_DEADLINE_SECONDS": "90",
    "BOARD_REPORT_SEND_DEADLINE_SECONDS": "90",
    "CELERY_VISIBILITY_TIMEOUT": "15",
    "REMINDER_RETRY_BACKOFF": "1",
    "EMAIL_TIMEOUT": "5",
    "PYTHONUNBUFFERED": "1",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait(predicate, what, *, log=None, sweep=None, ceiling=CEILING):
    deadline = time.monotonic() + ceiling
    next_sweep = 0.0
    while time.monotonic() < deadline:
        if predicate():
            return
        if sweep and time.monotonic() >= next_sweep:
            sweep()
            next_sweep = time.monotonic() + 2
        time.sleep(0.25)
    detail = Path(log).read_text()[-6000:] if log else ""
    pytest.fail(f"Gave up waiting for {what}.\n{detail}")


# --- PostgreSQL -------------------------------------------------------------------


@pytest.fixture(scope="session")
def faults_db(django_db_blocker):
    from django.db import connections
    from django.db.utils import load_backend

    previous = connections["default"]
    if previous.vendor != "postgresql":
        pytest.fail("The fault suite runs on PostgreSQL: set DATABASE_URL (make test-faults does).")
    config = copy.deepcopy(previous.settings_dict)
    config["NAME"] = f"{config['NAME'].removeprefix('test_')}_faults"
    with django_db_blocker.unblock():
        import psycopg

        params = dict(previous.get_connection_params())
        params["dbname"] = "postgres"
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{config["NAME"]}"')
        user = quote(config.get("USER") or "")
        password = f":{quote(config['PASSWORD'])}" if config.get("PASSWORD") else ""
        host, port = config.get("HOST") or "127.0.0.1", config.get("PORT") or 5432
        url = f"postgres://{user}{password}@{host}:{port}/{config['NAME']}"
        shared = load_backend(config["ENGINE"]).DatabaseWrapper(config, "default")
        connections["default"] = shared
        try:
            call_command("migrate", verbosity=0)
            yield {
                "url": url,
                "name": config["NAME"],
                "params": {**params, "dbname": config["NAME"]},
                "config": config,
            }
        finally:
            shared.close()
            connections["default"] = previous


def use_faults_db(db) -> None:
    """In a thread of the test process: Django's connections are per thread, so a new
    thread would open the settings' database, not the suite's."""
    from django.db import connections
    from django.db.utils import load_backend

    connections["default"] = load_backend(db["config"]["ENGINE"]).DatabaseWrapper(
        copy.deepcopy(db["config"]), "default"
    )


def terminate_worker_connections(db) -> int:
    """What a PostgreSQL restart or failover does to the worker: its connections cut."""
    import psycopg

    with psycopg.connect(**db["params"], autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() AND application_name = 'fault-worker'",
            [db["name"]],
        ).fetchall()
    return len(rows)


# --- Redis ------------------------------------------------------------------------


class Redis:
    """A redis-server of the suite's own, with nothing saved: a restart loses its data."""

    def __init__(self, tmp):
        self.port, self.tmp, self.process = free_port(), tmp, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
        )
        import redis

        wait(lambda: self._ping(redis), "Redis to start")

    def _ping(self, redis):
        try:
            return redis.Redis.from_url(self.url).ping()
        except redis.exceptions.ConnectionError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def flush(self):
        import redis

        redis.Redis.from_url(self.url).flushall()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = Redis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


# --- SMTP that fails on demand ------------------------------------------------------


class FaultySMTP:
    """Keeps every message; fails on demand.

    refuse_every: 451 on every Nth RCPT; refuse_permanently: 550 for those addresses.
    close_before_reply_every: the Nth DATA is read, not kept, and the connection closed
    before the reply. drop_every: the Nth message is kept (accepted), then the
    connection closed before the reply, so the client cannot know it arrived.
    delay: seconds to take over each DATA.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.messages: list[tuple[list[str], email.message.Message]] = []
            self.rcpts = self.datas = 0
            self.refuse_every = self.close_before_reply_every = self.drop_every = 0
            self.refuse_all = False
            self.refuse_permanently: set[str] = set()  # 550 for these addresses
            self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpts += 1
            refuse = self.refuse_all or (self.refuse_every and self.rcpts % self.refuse_every == 0)
        if address in self.refuse_permanently:
            return "550 5.1.1 No such mailbox"
        if refuse:
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.datas += 1
            n = self.datas
            if self.close_before_reply_every and n % self.close_before_reply_every == 0:
                server.transport.close()
                return "451 closed"
            self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
            if self.drop_every and n % self.drop_every == 0:
                server.transport.close()
        return "250 Message accepted for delivery"

    # What arrived
    def to(self, address):
        return [msg for rcpts, msg in self.messages if address in rcpts]

    def count(self):
        with self.lock:
            return len(self.messages)


class SMTPServer:
    def __init__(self):
        self.handler, self.port, self.controller = FaultySMTP(), free_port(), None

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope="session")
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server):
    if smtp_server.controller is None:
        smtp_server.start()
    smtp_server.handler.reset()
    yield smtp_server.handler
    if smtp_server.controller is None:
        smtp_server.start()


# --- the worker ---------------------------------------------------------------------


class Worker:
    def __init__(self, db, redis_server, smtp_server, tmp):
        self.db, self.redis, self.smtp = db, redis_server, smtp_server
        self.media, self.log = tmp / "media", tmp / "worker.log"
        self.media.mkdir(exist_ok=True)
        self.process = None
        self.children_killed = False

    def env(self):
        return {
            **os.environ,
            **WORKER_ENV,
            "DATABASE_URL": self.db["url"],
            "PGAPPNAME": "fault-worker",
            "CELERY_BROKER_URL": self.redis.url,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp.port),
            "MEDIA_ROOT": str(self.media),
        }

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def log_since(self, offset: int) -> str:
        with open(self.log, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def start(self):
        offset = self.log_size()
        command = [sys.executable, "-m", "celery", "-A", "ictstrategy", "worker", "--loglevel=INFO"]
        command += ["--concurrency=2", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        self.hostname = f"faults-{os.getpid()}-{time.monotonic_ns()}@{socket.gethostname()}"
        command += [f"--hostname={self.hostname}"]
        self.children_killed = False
        with open(self.log, "a") as out:
            self.process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        # Ready: the pool started and the consumer connected to the broker.
        ready = re.compile(r"@\S+ ready\.")
        wait(
            lambda: self.process.poll() is not None or ready.search(self.log_since(offset)),
            "the worker",
            log=self.log,
        )
        assert self.process.poll() is None, self.log.read_text()[-4000:]

    def children(self) -> list[int]:
        result = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in result.stdout.split()]

    def kill_children(self):
        """What the out-of-memory killer does: the pool's processes die, the main one lives."""
        self.children_killed = True
        for pid in self.children():
            os.kill(pid, signal.SIGKILL)

    @contextlib.contextmanager
    def memory_limit(self, limit: int):
        """The pool's processes may hold at most `limit` bytes of private memory (RLIMIT_DATA: heap and
        private mappings), as a container's limit would: past it an allocation fails (MemoryError)."""
        children = self.children()
        for pid in children:
            subprocess.run(["prlimit", f"--pid={pid}", f"--data={limit}:"], check=True)
        try:
            yield
        finally:
            for pid in children:
                subprocess.run(["prlimit", f"--pid={pid}", "--data=unlimited:"], check=False)

    def kill(self):
        """The whole worker killed (a host lost, `kill -9`)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def alive(self) -> bool:
        return self.process.poll() is None

    def idle(self) -> bool:
        """Nothing running, reserved or waiting for its countdown (asked over the broker)."""
        try:
            inspect = app.control.inspect(destination=[self.hostname], timeout=1, limit=1)
            replies = [inspect.active(), inspect.reserved(), inspect.scheduled()]
        except Exception:  # noqa: BLE001 - the broker may be restarting
            _forget_connections()
            return False
        if any(not reply for reply in replies):
            return False  # no answer
        return not any(tasks for reply in replies for tasks in reply.values())

    def settle(self, ceiling: float = 30):
        """Let what a test queued finish before its data goes: a job left running would act on
        the next test's rows. A worker still busy after `ceiling` seconds is stopped (and the
        next test starts a fresh one)."""
        deadline = time.monotonic() + ceiling
        while time.monotonic() < deadline:
            if not self.alive() or self.idle():
                return
            time.sleep(0.25)
        self.kill()


@pytest.fixture(scope="session")
def worker(faults_db, redis_server, smtp_server, tmp_path_factory):
    saved = override(app, broker_url=redis_server.url, task_always_eager=False)
    _forget_connections()
    process = Worker(faults_db, redis_server, smtp_server, tmp_path_factory.mktemp("worker"))
    process.start()
    yield process
    process.stop()
    app.conf.update(saved)
    _forget_connections()


def _forget_connections():
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def stack(faults_db, worker, redis_server, smtp, django_db_blocker, settings):
    """One test's stack: the worker running, the database emptied afterwards."""
    settings.PORTAL_TODAY = WORKER_ENV["PORTAL_TODAY"]
    settings.MEDIA_ROOT = str(worker.media)
    settings.BOARD_REPORT_STALE_CLAIM_SECONDS = STALE
    if redis_server.process.poll() is not None:
        redis_server.start()
    if not worker.alive():
        worker.start()
    with django_db_blocker.unblock():
        try:
            yield Stack(faults_db, worker, redis_server, smtp)
        finally:
            if redis_server.process.poll() is not None:
                redis_server.start()
            worker.settle()
            if worker.children_killed:
                # A pool whose processes were killed and replaced can make Celery 5.6.3's
                # worker exit at its next broker reconnection ("file descriptor is None",
                # docs/reports.md "Faults"): the next test gets a fresh worker.
                worker.kill()
            redis_server.flush()
            if not worker.alive():
                worker.start()
            call_command("flush", interactive=False, verbosity=0)


class Stack:
    def __init__(self, db, worker, redis, smtp):
        self.db, self.worker, self.redis, self.smtp = db, worker, redis, smtp
        self.log_offset = worker.log_size()

    def succeeded(self, task: str) -> int:
        """How many runs of `task` (e.g. "reporting.tasks.send_report") finished in this test."""
        return len(
            re.findall(rf"Task {re.escape(task)}\[[^]]+\] succeeded", self.worker.log_since(self.log_offset))
        )

    def wait_until_succeeded(self, task: str, times: int):
        self.wait(lambda: self.succeeded(task) >= times, f"{times} runs of {task} to finish")

    def sweep(self):
        from reporting.tasks import sweep_reports

        try:
            sweep_reports.delay()
        except Exception:  # noqa: BLE001 - the broker may be the fault under test
            _forget_connections()

    def sweep_reminders(self):
        from reminders.tasks import sweep_reminders

        try:
            sweep_reminders.delay()
        except Exception:  # noqa: BLE001
            _forget_connections()

    def wait(self, predicate, what, **kwargs):
        wait(predicate, what, log=self.worker.log, **kwargs)

    def wait_for_report(self, report, *states, sweep=True):
        def reached():
            report.refresh_from_db()
            return report.state in states

        self.wait(reached, f"the report to be {' or '.join(states)}", sweep=self.sweep if sweep else None)
        return report
