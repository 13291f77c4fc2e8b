"""Reminders end to end: beat's schedule entry sent to Redis, run by a real Celery
worker, delivered over SMTP to a real (aiosmtpd) server on loopback.

The worker runs in a thread of the test process so that it shares the test
database (SQLite's in-memory test database cannot be opened by another process).
Needs Redis on 127.0.0.1:6379; uses database 2 only.
"""

import email
import os
import socket
import threading

import pytest
from celery.beat import Scheduler
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun

from actionplan.factories import ActionFactory, UpdateFactory
from ictstrategy.celery import app
from reminders.models import Reminder
from tests.celery_settings import override

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BROKER = os.environ.get("E2E_REMINDERS_BROKER_URL", "redis://127.0.0.1:6379/2")
WAIT = 30  # seconds: a ceiling for a stuck pipeline, never a performance assertion


class Inbox:
    def __init__(self):
        self.messages = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self.arrived:
            self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    with socket.socket() as probe:  # a free loopback port (the controller cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.fixture
def worker(settings):
    """A Celery worker consuming from Redis database 2; tasks no longer eager."""
    saved = override(app, broker_url=BROKER, task_always_eager=False)
    app._pool = None  # the producer pool is per broker URL: drop the embedded default's
    finished = []
    done = threading.Condition()

    def on_postrun(task_id=None, task=None, state=None, **kwargs):
        with done:
            finished.append((task.name, state))
            done.notify_all()

    task_postrun.connect(on_postrun, weak=False)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield finished, done
    finally:
        task_postrun.disconnect(on_postrun)
        app.conf.update(saved)
        app._pool = None


def fire_beat_entry(name="send-update-reminders"):
    """Send the schedule's entry exactly as celery beat does when it is due."""
    scheduler = Scheduler(app=app, lazy=True)
    entry = scheduler.Entry(name=name, app=app, **app.conf.beat_schedule[name])
    scheduler.apply_async(entry)


def wait_for(condition, predicate):
    with condition:
        assert condition.wait_for(predicate, timeout=WAIT), "the pipeline did not finish"


def test_reminders_from_beat_through_worker_to_smtp(
    settings, smtp, worker, plan, theme, officer, colleague, administrator
):
    finished, done = worker
    mine = ActionFactory(
        plan=plan, theme=theme, lead_officer=officer, reference="1.1", title="Roll out Teams"
    )
    theirs = ActionFactory(plan=plan, theme=theme, lead_officer=colleague, reference="2.1")

    # A week before the due date: both officers are reminded.
    settings.PORTAL_TODAY = "2023-01-09"
    fire_beat_entry()
    wait_for(done, lambda: len(finished) == 1)
    assert finished[0] == ("reminders.tasks.send_due_reminders", "SUCCESS")
    assert sorted(rcpt[0] for rcpt, _ in smtp.messages) == [colleague.email, officer.email]
    to_priya = next(msg for rcpt, msg in smtp.messages if rcpt == [officer.email])
    assert to_priya["Subject"] == "Your 2022/23 Q3 updates are due by 16 January"
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in to_priya.walk()
        if not part.is_multipart()
    }
    link = f"{settings.PORTAL_BASE_URL}/actions/{mine.pk}/update/"
    assert link in parts["text/plain"] and f'href="{link}"' in parts["text/html"]

    # Beat fires twice (two beat processes by mistake): nothing is sent twice.
    fire_beat_entry()
    wait_for(done, lambda: len(finished) == 2)
    assert len(smtp.messages) == 2

    # Gareth updates; on the due day only Priya is reminded, the day after the administrator hears.
    UpdateFactory(action=theirs, period=20223)
    settings.PORTAL_TODAY = "2023-01-16"
    fire_beat_entry()
    wait_for(done, lambda: len(finished) == 3)
    settings.PORTAL_TODAY = "2023-01-17"
    fire_beat_entry()
    wait_for(done, lambda: len(finished) == 4)
    later = [(rcpt, msg["Subject"]) for rcpt, msg in smtp.messages[2:]]
    assert later == [
        ([officer.email], "Today: your 2022/23 Q3 updates are due"),
        ([administrator.email], "1 progress update for 2022/23 Q3 missing after the due date"),
    ]
    assert Reminder.objects.filter(state=Reminder.State.SENT).count() == 4
    assert all(state == "SUCCESS" for _, state in finished)


def test_remind_now_is_sent_by_the_worker(
    settings, smtp, worker, client, plan, theme, officer, administrator
):
    finished, done = worker
    ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="1.1")
    client.force_login(administrator)
    response = client.post("/reminders/missing/remind/", {"officer": officer.pk, "quarter": 20223})
    assert response.status_code == 302
    wait_for(done, lambda: len(finished) == 1)
    assert finished == [("reminders.tasks.send_reminder", "SUCCESS")]
    ((rcpt, msg),) = smtp.messages
    assert rcpt == [officer.email]
    assert msg["Subject"] == "Reminder: your 2022/23 Q3 updates are overdue"
