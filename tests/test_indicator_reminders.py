"""Owners reminded before each indicator value is due, by frequency; late values escalated;
each e-mail claimed before it is sent, as the update reminders are."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings

from actionplan import services as action_services
from core.quarters import Quarter
from indicators import reminders
from indicators.factories import IndicatorFactory, ValueFactory
from indicators.models import ValueReminder
from indicators.periods import Period

D = Decimal


@pytest.fixture
def owed(strategy, theme, officer, administrator):
    monthly = IndicatorFactory(
        strategy=strategy, theme=theme, owner=officer, code="PI 4.1", frequency="monthly"
    )
    quarterly = IndicatorFactory(strategy=strategy, theme=theme, owner=officer, code="PI 3.2")
    annual = IndicatorFactory(
        strategy=strategy, theme=theme, owner=officer, code="PI 6.1", frequency="annual"
    )
    done = IndicatorFactory(strategy=strategy, theme=theme, owner=officer, code="PI 1.1", frequency="monthly")
    ValueFactory(indicator=done, period_end=datetime.date(2022, 12, 31))
    return monthly, quarterly, annual, done


def test_values_are_due_ten_days_after_their_period(owed):
    assert reminders.due_on(Period.month(2022, 12)) == datetime.date(2023, 1, 10)
    assert reminders.period_due_on(owed[1], datetime.date(2023, 1, 10)) == Period.of_quarter(Quarter(2022, 3))
    assert reminders.period_due_on(owed[1], datetime.date(2022, 12, 10)) is None  # quarterly: not due then


def test_the_owner_is_reminded_once_before_the_values_are_due(settings, owed, officer, mailoutbox):
    settings.PORTAL_TODAY = "2023-01-06"
    planned = reminders.value_reminders_run()
    assert [(p.recipient, p.step, p.due_on, p.outcome) for p in planned] == [
        (officer, "before", datetime.date(2023, 1, 10), "sent")
    ]
    (mail,) = mailoutbox
    assert mail.subject == "Your indicator values are due by 10 January"
    assert "PI 4.1" in mail.body and "December 2022" in mail.body
    assert "PI 3.2" in mail.body and "2022/23 Q3" in mail.body
    assert "PI 1.1" not in mail.body  # recorded already
    assert "PI 6.1" not in mail.body  # the year is not over
    # The next morning's run, or a second worker, sends nothing more.
    settings.PORTAL_TODAY = "2023-01-07"
    assert [p.outcome for p in reminders.value_reminders_run()] == ["already sent"]
    assert len(mailoutbox) == 1


def test_late_values_are_escalated_to_the_administrators(settings, owed, administrator, mailoutbox):
    settings.PORTAL_TODAY = "2023-01-16"
    planned = reminders.value_reminders_run()
    assert [(p.recipient, p.step) for p in planned] == [(administrator, "late")]
    (mail,) = mailoutbox
    assert mail.subject == "Late indicator values: due 10 January 2023"
    assert "(owner: " in mail.body and "PI 4.1" in mail.body


def test_a_locked_quarter_is_never_chased(settings, owed, administrator, mailoutbox):
    action_services.quarter_lock(quarter=Quarter(2022, 3), user=administrator)
    settings.PORTAL_TODAY = "2023-01-06"
    assert reminders.value_reminders_run() == []
    assert mailoutbox == []


def test_a_value_recorded_after_the_claim_is_left_out(settings, owed, officer, mailoutbox):
    settings.PORTAL_TODAY = "2023-01-06"
    (item,) = reminders.planned_today()
    reminder = reminders._claim(item)
    for indicator, end in ((owed[0], datetime.date(2022, 12, 31)), (owed[1], datetime.date(2022, 12, 31))):
        ValueFactory(indicator=indicator, period_end=end, actual=D(1))
    assert reminders.value_reminder_deliver(reminder_id=reminder.pk) == "skipped"
    assert mailoutbox == []


def test_a_failed_send_is_resent_by_the_next_run(settings, owed, officer, mailoutbox, monkeypatch):
    from core import emails

    settings.PORTAL_TODAY = "2023-01-06"
    real = emails.send

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(emails, "send", broken)
    assert [p.outcome for p in reminders.value_reminders_run()] == ["failed"]
    assert ValueReminder.objects.get().error.startswith("ConnectionRefusedError")
    monkeypatch.setattr(emails, "send", real)
    assert [p.outcome for p in reminders.value_reminders_run()] == ["sent"]
    assert len(mailoutbox) == 1 and ValueReminder.objects.get().attempts == 2


def test_a_claim_left_by_a_dead_worker_is_swept_and_resent(settings, owed, officer, mailoutbox):
    from core import clock

    settings.PORTAL_TODAY = "2023-01-06"
    (item,) = reminders.planned_today()
    reminder = reminders._claim(item)
    ValueReminder.objects.filter(pk=reminder.pk).update(
        state="sending", claimed_at=clock.now() - datetime.timedelta(days=1)
    )
    assert reminders.value_reminders_sweep() == 1
    assert [p.outcome for p in reminders.value_reminders_run()] == ["sent"]


def test_the_schedule_runs_the_reminders_each_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["indicator-value-reminders"]
    assert entry["task"] == "indicators.tasks.send_value_reminders"
    assert "indicators.tasks.sweep_value_reminders" in {
        e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()
    }
