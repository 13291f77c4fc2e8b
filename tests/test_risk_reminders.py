"""Risk reviews are reminded and escalated like updates, on the same calendar, each e-mail
claimed before it is sent (risks.reminders)."""

import datetime

import pytest
from django.core import mail

from actionplan import services as action_services
from reminders import selectors as reminder_selectors
from risks import reminders, tasks
from risks.factories import ReviewFactory, RiskFactory
from risks.models import ReviewReminder, ReviewSignOff
from tests.conftest import Q3

pytestmark = pytest.mark.django_db


def on(settings, day: datetime.date):
    settings.PORTAL_TODAY = day.isoformat()


@pytest.fixture
def owned(strategy, theme, officer, colleague):
    """Priya owns two risks owing a Q3 review, Gareth one; a yearly risk owes none in Q3."""
    r1 = RiskFactory(strategy=strategy, theme=theme, owner=officer, reference="R1", title="Ransomware attack")
    r2 = RiskFactory(
        strategy=strategy, theme=theme, owner=officer, reference="R2", title="Loss of the data centre"
    )
    r3 = RiskFactory(
        strategy=strategy, theme=theme, owner=colleague, reference="R3", title="Supplier failure"
    )
    RiskFactory(strategy=strategy, theme=theme, owner=colleague, reference="R4", review_frequency="annually")
    return r1, r2, r3


def dates(strategy):
    return reminder_selectors.dates_for(strategy, Q3)


def test_who_is_reminded_then_escalated(settings, strategy, owned, officer, colleague, administrator):
    r1, r2, r3 = owned
    on(settings, dates(strategy).first_reminder_on)
    reminders.review_reminders_run_due_steps()
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {officer.email, colleague.email}
    assert (
        "R1 Ransomware attack" in sent[officer.email].body
        and "R2 Loss of the data centre" in sent[officer.email].body
    )
    assert f"/risks/{r1.pk}/#review" in sent[officer.email].body
    assert "R4" not in sent[colleague.email].body  # reviewed each year: nothing owed in Q3
    # A second run that day sends nothing twice.
    reminders.review_reminders_run_due_steps()
    assert len(mail.outbox) == 2
    # Priya reviews both; Gareth's review is returned, so it is owed again.
    ReviewFactory(risk=r1, period=Q3.code)
    ReviewFactory(risk=r2, period=Q3.code, needs_sign_off=True)  # submitted: received, not chased
    returned = ReviewFactory(risk=r3, period=Q3.code, needs_sign_off=True)
    ReviewSignOff.objects.create(
        review=returned, decision="returned", reason="Why?", decided_by=administrator
    )
    mail.outbox.clear()
    on(settings, dates(strategy).escalation_on)
    reminders.review_reminders_run_due_steps()
    (escalation,) = mail.outbox
    assert escalation.to == [administrator.email]
    assert "1 risk review for 2022/23 Q3 missing" in escalation.subject
    assert "R3 Supplier failure (owner: " in escalation.body


def test_a_review_arriving_after_the_claim_skips_the_email(settings, strategy, owned):
    r1, r2, r3 = owned
    on(settings, dates(strategy).first_reminder_on)
    claimed = reminders._claim(strategy, Q3, "first", r3.owner, [r3])
    ReviewFactory(risk=r3, period=Q3.code)
    assert reminders.review_reminder_deliver(reminder_id=claimed.pk) == "skipped"
    assert not mail.outbox


def test_a_failed_send_is_retried_and_a_stale_claim_swept(settings, strategy, owned, monkeypatch):
    on(settings, dates(strategy).first_reminder_on)
    from core import emails

    real = emails.send
    monkeypatch.setattr(emails, "send", lambda *a, **k: (_ for _ in ()).throw(OSError("SMTP down")))
    from celery.exceptions import Retry

    with pytest.raises(Retry, match="2 review reminder e-mail"):  # the task retries the failed ones
        tasks.send_due_review_reminders.apply(throw=True)
    assert set(ReviewReminder.objects.values_list("state", flat=True)) == {"failed"}
    monkeypatch.setattr(emails, "send", real)
    reminders.review_reminders_run_due_steps()
    assert set(ReviewReminder.objects.values_list("state", flat=True)) == {"sent"} and len(mail.outbox) == 2
    stale = ReviewReminder.objects.first()
    ReviewReminder.objects.filter(pk=stale.pk).update(
        state="sending", claimed_at=stale.created_at - datetime.timedelta(hours=2)
    )
    assert reminders.review_reminders_sweep() == 1


def test_no_reminders_for_a_locked_quarter(settings, strategy, owned, administrator):
    action_services.quarter_lock(quarter=Q3, user=administrator)
    on(settings, dates(strategy).first_reminder_on)
    assert reminders.review_reminders_run_due_steps() == []
    assert not mail.outbox


def test_the_beat_schedule_runs_the_review_reminders(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-review-reminders"]
    assert entry["task"] == "risks.tasks.send_due_review_reminders"
    assert (
        settings.CELERY_BEAT_SCHEDULE["sweep-review-reminders"]["task"]
        == "risks.tasks.sweep_review_reminders"
    )
