"""The reminder pipeline under the faults of issue 14's table (docs/reminders.md, "Faults")."""

from __future__ import annotations

import pytest

from tests.faults.conftest import terminate_worker_connections
from tests.faults.helpers import Q3

pytestmark = pytest.mark.faults

OFFICERS = 17


@pytest.fixture
def officers(stack):
    """17 officers, each leading one 2022/23 action with no Q3 update on the due day (16 January 2023)."""
    from accounts import roles
    from accounts.factories import UserFactory
    from actionplan.factories import ActionFactory, PlanFactory
    from themes.factories import StrategyFactory, ThemeFactory

    strategy = StrategyFactory(title="ICT Strategy 2019-2024")
    theme = ThemeFactory(strategy=strategy, number=1, title="Modern workforce")
    plan = PlanFactory(strategy=strategy, year=2022)
    people = [UserFactory(username=f"officer{n:02d}", role=roles.OFFICER) for n in range(OFFICERS)]
    for n, person in enumerate(people):
        ActionFactory(plan=plan, theme=theme, lead_officer=person, reference=f"1.{n + 1}")
    return [p.email for p in people]


def _all_sent():
    from reminders.models import Reminder

    rows = Reminder.objects.all()
    return rows.count() == OFFICERS and not rows.exclude(state="sent").exists()


def _assert_each_once(smtp, addresses):
    from reminders.models import Reminder

    for address in addresses:
        copies = smtp.to(address)
        assert len(copies) == 1, (address, len(copies))
        reminder = Reminder.objects.get(email=address)
        assert copies[0]["Message-ID"] == f"<reminder-{reminder.pk}@example.gov.uk>"


def test_reminders_run_three_times_at_once_with_451s_on_two_processes(stack, officers):
    from reminders import tasks

    stack.smtp.refuse_every = 3
    for _ in range(3):
        tasks.send_due_reminders.delay()
    stack.wait(_all_sent, "every reminder sent")
    stack.wait_until_succeeded("reminders.tasks.send_due_reminders", 3)
    assert len(stack.smtp.messages) == OFFICERS
    _assert_each_once(stack.smtp, officers)


def test_postgresql_terminated_mid_reminder_run(stack, officers):
    from reminders import tasks

    stack.smtp.delay = 0.3
    tasks.send_due_reminders.delay()
    stack.wait(lambda: stack.smtp.count() >= 7, "7 reminders")
    assert terminate_worker_connections(stack.db) >= 1
    stack.smtp.delay = 0
    stack.wait(_all_sent, "every reminder sent", sweep=stack.sweep_reminders)
    stack.wait_until_succeeded("reminders.tasks.send_due_reminders", 1)
    assert len(stack.smtp.messages) == OFFICERS
    _assert_each_once(stack.smtp, officers)


def test_a_reminder_worker_killed_mid_run_is_resent_by_the_retry(stack, officers):
    """The pool child killed mid-run: its claim is swept to failed, and the next run resends it."""
    from reminders import tasks

    stack.smtp.delay = 0.3
    tasks.send_due_reminders.delay()
    stack.wait(lambda: stack.smtp.count() >= 5, "5 reminders")
    stack.worker.kill_children()
    stack.smtp.delay = 0
    # The redelivered run sends the rest; the next run (beat's, the task's retry) the swept one.
    runs = 1

    def next_run():
        nonlocal runs
        stack.sweep_reminders()
        tasks.send_due_reminders.delay()
        runs += 1

    stack.wait(_all_sent, "every reminder sent", sweep=next_run)
    stack.wait_until_succeeded("reminders.tasks.send_due_reminders", runs)  # none left running
    # At least once where the worker died mid-send, with the reminder's one Message-ID.
    for address in officers:
        ids = {m["Message-ID"] for m in stack.smtp.to(address)}
        assert len(ids) == 1, (address, ids)


def test_broker_down_when_an_officer_is_reminded_now(stack, officers, client):
    """'Remind now' with the queue down: said on the page, the row failed with the reason (never
    "pending" with nothing queued); asked again once the broker is back, it is sent once."""
    from accounts import roles
    from accounts.factories import UserFactory
    from accounts.models import User
    from reminders.models import Reminder

    officer = User.objects.get(email=officers[0])
    client.force_login(UserFactory(username="head-of-ict", role=roles.ADMINISTRATOR))
    remind = {"officer": officer.pk, "quarter": Q3.code}
    stack.redis.stop()
    page = client.post("/reminders/missing/remind/", remind, follow=True)
    assert page.status_code == 200
    assert "The job queue could not be reached, so the reminder to" in page.content.decode()
    manual = Reminder.objects.filter(step="manual")
    reminder = manual.get()
    assert reminder.state == "failed" and "could not be reached" in reminder.error
    stack.redis.start()
    page = client.post("/reminders/missing/remind/", remind, follow=True)
    assert "Reminder on its way to" in page.content.decode()
    stack.wait(lambda: manual.get().state == "sent", "the reminder sent")
    assert manual.count() == 1
    copies = [
        m for m in stack.smtp.to(officers[0]) if m["Message-ID"] == f"<reminder-{reminder.pk}@example.gov.uk>"
    ]
    assert len(copies) == 1
