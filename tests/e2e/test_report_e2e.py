"""The board report end to end: a real `celery worker` process on Redis (database 1),
a database file both processes open, and a real SMTP server (aiosmtpd) on loopback.

The worker is a separate process, as in production, so the test and the worker
share a database on disk (a temporary SQLite file, or `<name>_e2e` on
PostgreSQL) rather than pytest-django's in-memory test database.
"""

from __future__ import annotations

import email
import io
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
from pypdf import PdfReader

from ictstrategy.celery import app
from tests.celery_settings import override

pytestmark = pytest.mark.e2e

BROKER = os.environ.get("E2E_REPORTS_BROKER_URL", "redis://127.0.0.1:6379/1")
CEILING = 180  # seconds: a ceiling for a stuck pipeline, never a performance assertion
BASE_DIR = Path(django_settings.BASE_DIR)


# --- a database the worker can open ---------------------------------------------


@pytest.fixture(scope="module")
def shared_db(django_db_blocker, tmp_path_factory):
    """Point Django at a database on disk, migrate it, and give its URL for the worker.

    A new connection object replaces "default" for these tests: an in-memory test
    database another module may be using stays open, untouched, and comes back after.
    """
    import copy

    from django.db import connections
    from django.db.utils import load_backend

    previous = connections["default"]
    config = copy.deepcopy(previous.settings_dict)
    with django_db_blocker.unblock():
        if previous.vendor == "sqlite":
            config["NAME"] = str(tmp_path_factory.mktemp("e2e-db") / "reports.sqlite3")
            url = f"sqlite:///{config['NAME']}"
        else:
            config["NAME"] = f"{config['NAME'].removeprefix('test_')}_e2e"
            _recreate_postgres(previous, config["NAME"])
            user = quote(config.get("USER") or "")
            password = f":{quote(config['PASSWORD'])}" if config.get("PASSWORD") else ""
            host, port = config.get("HOST") or "127.0.0.1", config.get("PORT") or 5432
            url = f"postgres://{user}{password}@{host}:{port}/{config['NAME']}"
        shared = load_backend(config["ENGINE"]).DatabaseWrapper(config, "default")
        connections["default"] = shared
        try:
            call_command("migrate", verbosity=0)
            yield url
        finally:
            shared.close()
            connections["default"] = previous


def _recreate_postgres(conn, name):
    import psycopg

    params = dict(conn.get_connection_params())
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture
def live(shared_db, django_db_blocker):
    """Database access for one test; emptied afterwards (roles are made again on flush)."""
    with django_db_blocker.unblock():
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


# --- SMTP on loopback -------------------------------------------------------------


class Mailbox:
    """Keeps every message; refuses the first `refuse` RCPTs with 451 (try again later)."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.Message]] = []
        self.refuse = 0
        self.refused = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if self.refused < self.refuse:
                self.refused += 1
                return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def to(self, address):
        return [msg for rcpts, msg in self.messages if address in rcpts]


@pytest.fixture(scope="module")
def mailbox():
    from aiosmtpd.controller import Controller

    box = Mailbox()
    with socket.socket() as probe:  # a free loopback port (the controller cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port
    yield box
    controller.stop()


@pytest.fixture
def smtp(mailbox):
    mailbox.messages.clear()
    mailbox.refuse = mailbox.refused = 0
    return mailbox


# --- a real worker --------------------------------------------------------------


@pytest.fixture(scope="module")
def worker(shared_db, mailbox, tmp_path_factory):
    """`celery -A ictstrategy worker` in its own process, consuming Redis database 1."""
    import redis

    redis.Redis.from_url(BROKER).flushdb()  # database 1 is this test's alone
    saved = override(app, broker_url=BROKER, task_always_eager=False)
    _forget_connections()
    media = tmp_path_factory.mktemp("e2e-media")
    log = tmp_path_factory.mktemp("e2e-worker") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": shared_db,
        "CELERY_BROKER_URL": BROKER,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mailbox.port),
        "MEDIA_ROOT": str(media),
        "PORTAL_TODAY": "2023-01-16",
        "BOARD_REPORT_RETRY_BACKOFF": "1",
        "BOARD_REPORT_SEND_RETRIES": "5",
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "celery", "-A", "ictstrategy", "worker", "--loglevel=INFO"]
    command += [
        "--concurrency=2",
        "--without-gossip",
        "--without-mingle",
        f"--hostname=e2e-reports-{os.getpid()}@%h",
    ]
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait(lambda: process.poll() is not None or app.control.ping(timeout=1), "the worker to start", log)
        assert process.poll() is None, log.read_text()
        yield log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        app.conf.update(saved)
        _forget_connections()


def _forget_connections():
    # Connection and producer pools belong to one broker URL; an earlier test may
    # have made them for another (the embedded default, or another Redis database).
    app._pool = None
    app.amqp._producer_pool = None


def _wait(predicate, what, log=None):
    deadline = time.monotonic() + CEILING
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    detail = log.read_text()[-4000:] if log else ""
    pytest.fail(f"Gave up waiting for {what}.\n{detail}")


def _worker_idle() -> bool:
    import redis

    if redis.Redis.from_url(BROKER).llen(app.conf.task_default_queue):
        return False
    inspect = app.control.inspect(timeout=1)
    busy = [*(inspect.active() or {}).values(), *(inspect.reserved() or {}).values()]
    return not any(busy)


# --- the data -------------------------------------------------------------------


@pytest.fixture
def quarter(live):
    from accounts import roles
    from accounts.factories import UserFactory
    from reporting.factories import RecipientFactory, quarter_story
    from themes.factories import PartnerFactory, StrategyFactory

    strategy = StrategyFactory(title="ICT Strategy 2019-2024")
    partners = [PartnerFactory(short_name="MBC"), PartnerFactory(short_name="SBC")]
    officer = UserFactory(username="priya", role=roles.OFFICER)
    colleague = UserFactory(username="gareth", role=roles.OFFICER)
    quarter_story(strategy=strategy, officer=officer, colleague=colleague, partners=partners)
    recipients = [
        RecipientFactory(name="Margaret Ellis", email="chair@board.example.org"),
        RecipientFactory(name="Robert Singh", email="finance@board.example.org"),
        RecipientFactory(name="Catherine Doyle", email="director@board.example.org"),
    ]
    admin = UserFactory(username="head-of-ict", role=roles.ADMINISTRATOR)
    return {"admin": admin, "recipients": [r.email for r in recipients]}


def _red_references():
    from actionplan.models import Action
    from actionplan.selectors import action_states
    from core.quarters import Quarter

    states = action_states(Action.objects.filter(plan__year=2022), quarter=Quarter(2022, 3))
    return sorted(s.action.reference for s in states if s.rag == "red")


def _request(client, admin, *, send, log=None):
    """Request the Q3 report; with `send`, wait until it is ready and confirm the send, as an
    administrator does on the confirmation page."""
    client.force_login(admin)
    response = client.post("/reports/request/", {"quarter": 20223})
    assert response.status_code == 302, response.content.decode()[:2000]
    from reporting.models import BoardReport

    report = BoardReport.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))
    if send:
        _wait_for_state(report, "ready", log)
        confirmed = client.post(f"/reports/{report.pk}/send/", {"confirm": "on"})
        assert confirmed.status_code == 302, confirmed.content.decode()[:2000]
    return report


def _wait_for_state(report, state, log):
    def reached():
        report.refresh_from_db()
        return report.state in (state, "failed")

    _wait(reached, f"the report to be {state}", log)
    assert report.state == state, f"{report.error}\n{log.read_text()[-4000:]}"


def _pdf_text(message) -> str:
    (pdf,) = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == "board-report-2022-23-q3.pdf"
    reader = PdfReader(io.BytesIO(pdf.get_payload(decode=True)))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


# --- the tests ------------------------------------------------------------------


def test_request_build_and_send_once_to_each_recipient(client, quarter, smtp, worker):
    from reporting.factories import THEME_TITLES

    report = _request(client, quarter["admin"], send=True, log=worker)
    _wait_for_state(report, "sent", worker)
    assert report.quarter_locked and report.page_count >= 8

    for address in quarter["recipients"]:
        (message,) = smtp.to(address)
        assert message["Subject"] == "ICT Strategy 2019-2024: progress report 2022/23 Q3"
        text = _pdf_text(message)
        assert "2022/23 Q3" in text
        for title in THEME_TITLES:
            assert title in text
        reds = _red_references()
        assert reds == ["1.1", "3.1", "6.1"]  # 6.1 is red at one council: the whole action counts red
        for ref in reds:
            assert f"{ref} Action {ref}" in text
    assert len(smtp.messages) == 3
    assert set(report.deliveries.values_list("state", "attempts")) == {("sent", 1)}
    log = worker.read_text()  # built and sent by the worker process, not in this one
    assert re.search(r"Task reporting\.tasks\.build_report\[.*\] succeeded", log)
    assert re.search(r"Task reporting\.tasks\.send_report\[.*\] succeeded", log)


def test_smtp_refusing_the_first_attempts_still_delivers_once(client, quarter, smtp, worker):
    smtp.refuse = 4  # every recipient refused on the first try, one of them twice
    report = _request(client, quarter["admin"], send=True, log=worker)
    _wait_for_state(report, "sent", worker)
    assert smtp.refused == 4
    for address in quarter["recipients"]:
        assert len(smtp.to(address)) == 1
    attempts = sorted(report.deliveries.values_list("attempts", flat=True))
    assert attempts[0] >= 2 and sum(attempts) == 3 + 4


def test_the_send_task_run_twice_sends_nothing_twice(client, quarter, smtp, worker):
    from reporting import tasks

    report = _request(client, quarter["admin"], send=False)
    _wait_for_state(report, "ready", worker)
    # Two copies of the same job, as a redelivered or duplicated message would give,
    # taken by the worker's two processes at the same time.
    tasks.send_report.delay(report.pk)
    tasks.send_report.delay(report.pk)
    _wait_for_state(report, "sent", worker)
    _wait(_worker_idle, "the worker to finish both jobs", worker)
    tasks.send_report.delay(report.pk)  # and once more, long after
    tasks.build_report.delay(report.pk)
    _wait(_worker_idle, "the worker to finish", worker)
    for address in quarter["recipients"]:
        assert len(smtp.to(address)) == 1
    assert set(report.deliveries.values_list("state", "attempts")) == {("sent", 1)}
