"""Reminders and escalations across a whole quarter, with the clock frozen day by day."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError

from accounts import roles
from accounts.factories import UserFactory
from actionplan import selectors as action_selectors
from actionplan.factories import ActionFactory, PlanFactory, UpdateFactory
from actionplan.models import ActionPlan, ProgressUpdate
from core.quarters import Quarter
from reminders import services, tasks
from reminders.models import Reminder, ReportingCalendar

pytestmark = pytest.mark.django_db


Q3 = Quarter(2022, 3)
Status = ProgressUpdate.Status


def on(settings, day: datetime.date):
    settings.PORTAL_TODAY = day.isoformat()


@pytest.fixture
def team(plan, theme, officer, colleague, administrator):
    """Priya leads two actions, Gareth one; others need no Q3 update."""
    idle = UserFactory(username="idle", role=roles.OFFICER)
    a11 = ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="1.1", title="Roll out Teams")
    a12 = ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="1.2", title="Refresh Wi-Fi")
    a21 = ActionFactory(plan=plan, theme=theme, lead_officer=colleague, reference="2.1", title="Deploy MFA")
    done = ActionFactory(plan=plan, theme=theme, lead_officer=colleague, reference="2.2")
    UpdateFactory(action=done, period=20222, status=Status.COMPLETED, rag="blue", percent_complete=100)
    later = ActionFactory(plan=plan, theme=theme, lead_officer=colleague, reference="2.3")
    later.start_date = datetime.date(2023, 2, 1)
    later.save()
    draft = PlanFactory(strategy=plan.strategy, year=2023, status=ActionPlan.Status.DRAFT)
    ActionFactory(plan=draft, theme=theme, lead_officer=idle, reference="9.9")
    return {"1.1": a11, "1.2": a12, "2.1": a21, "idle": idle}


def _run_days(settings, first, last, *, on_day=None, runs=2):
    """Run the daily job (twice a day) from `first` to `last`; return {day: [(to, subject)]}."""
    sent = {}
    day = first
    while day <= last:
        on(settings, day)
        if on_day:
            on_day(day)
        before = len(mail.outbox)
        for _ in range(runs):
            services.reminders_run_due_steps()
        new = mail.outbox[before:]
        if new:
            sent[day] = sorted((m.to[0], m.subject) for m in new)
        day += datetime.timedelta(days=1)
    return sent


def test_who_gets_which_email_on_which_day(settings, team, officer, colleague, administrator):
    def gareth_updates_between_reminders(day):
        if day == datetime.date(2023, 1, 12):
            UpdateFactory(action=team["2.1"], period=Q3.code)

    sent = _run_days(
        settings,
        datetime.date(2022, 12, 1),
        datetime.date(2023, 3, 31),
        on_day=gareth_updates_between_reminders,
    )

    assert sent == {
        datetime.date(2023, 1, 9): [
            ("gareth@council.example.org", "Your 2022/23 Q3 updates are due by 16 January"),
            ("priya@council.example.org", "Your 2022/23 Q3 updates are due by 16 January"),
        ],
        datetime.date(2023, 1, 16): [("priya@council.example.org", "Today: your 2022/23 Q3 updates are due")],
        datetime.date(2023, 1, 17): [
            (
                "head-of-ict@council.example.org",
                "2 progress updates for 2022/23 Q3 missing after the due date",
            )
        ],
    }
    assert not Reminder.objects.filter(recipient=team["idle"]).exists()
    assert Reminder.objects.filter(state=Reminder.State.SENT).count() == 4


def test_reminder_lists_every_action_with_a_link_to_its_update_form(settings, team):
    settings.PORTAL_BASE_URL = "https://portal.example.gov.uk/"
    on(settings, datetime.date(2023, 1, 9))
    services.reminders_run_due_steps()
    priya = next(m for m in mail.outbox if m.to == ["priya@council.example.org"])
    for action in (team["1.1"], team["1.2"]):
        link = f"https://portal.example.gov.uk/actions/{action.pk}/update/"
        assert link in priya.body
        assert f'href="{link}"' in priya.alternatives[0][0]
    assert "Monday 16 January 2023" in priya.body
    assert "2.1" not in priya.body


def test_escalation_lists_each_missing_update_with_its_officer(settings, team, officer, colleague):
    on(settings, datetime.date(2023, 1, 17))
    services.reminders_run_due_steps()
    (escalation,) = mail.outbox
    assert escalation.to == ["head-of-ict@council.example.org"]
    text = escalation.body
    assert "3 progress updates for 2022/23 Q3 (October to December 2022) are still missing" in text
    assert officer.display_name in text and colleague.display_name in text
    assert text.index(colleague.display_name) < text.index("2.1 Deploy MFA")
    assert "2.2" not in text and "2.3" not in text and "9.9" not in text


def test_titles_are_escaped_in_the_html_email(settings, plan, theme, officer):
    ActionFactory(plan=plan, theme=theme, lead_officer=officer, title="<script>alert(1)</script>")
    on(settings, datetime.date(2023, 1, 9))
    services.reminders_run_due_steps()
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_partner_update_does_not_count_as_the_overall_update(settings, team, maidstone):
    UpdateFactory(action=team["2.1"], period=Q3.code, partner=maidstone)
    assert team["2.1"] in action_selectors.actions_missing_update(quarter=Q3)


def test_no_reminders_for_a_locked_quarter_or_a_disabled_calendar(settings, team, strategy):
    on(settings, datetime.date(2023, 1, 9))
    ReportingCalendar.objects.create(strategy=strategy, reminders_enabled=False)
    assert services.reminders_run_due_steps() == []
    ReportingCalendar.objects.filter(strategy=strategy).update(reminders_enabled=True)
    from actionplan.models import QuarterLock

    QuarterLock.objects.create(period=Q3.code)
    assert services.reminders_run_due_steps() == []
    assert mail.outbox == []


def test_failed_email_is_recorded_and_a_retry_resends_only_it(settings, team, monkeypatch):
    on(settings, datetime.date(2023, 1, 9))
    real_send = services.emails.send

    def flaky(name, to, context, **kwargs):
        if to == ["gareth@council.example.org"]:
            raise ConnectionRefusedError("mail server down")
        return real_send(name, to, context, **kwargs)

    monkeypatch.setattr(services.emails, "send", flaky)
    (report,) = services.reminders_run_due_steps()
    assert report.failed == 1
    failed = Reminder.objects.get(recipient__username="gareth")
    assert failed.state == Reminder.State.FAILED and "mail server down" in failed.error
    assert [m.to for m in mail.outbox] == [["priya@council.example.org"]]

    monkeypatch.setattr(services.emails, "send", real_send)
    on(settings, datetime.date(2023, 1, 10))
    services.reminders_run_due_steps()
    assert [m.to for m in mail.outbox] == [["priya@council.example.org"], ["gareth@council.example.org"]]
    failed.refresh_from_db()
    assert failed.state == Reminder.State.SENT and failed.attempts == 2


def test_a_reminder_left_sending_is_never_sent_again(settings, team):
    # A worker that died mid-send: we cannot know whether it went, so no second copy.
    on(settings, datetime.date(2023, 1, 9))
    services.reminders_run_due_steps()
    Reminder.objects.update(state=Reminder.State.SENDING)
    mail.outbox.clear()
    services.reminders_run_due_steps()
    assert mail.outbox == []


def test_updates_arriving_after_the_claim_are_left_out_and_none_left_skips(settings, team):
    on(settings, datetime.date(2023, 1, 9))
    reminder = services._claim(
        team["1.1"].plan.strategy, Q3, "first", team["1.1"].lead_officer, [team["1.1"]]
    )
    UpdateFactory(action=team["1.1"], period=Q3.code)
    assert services.reminder_deliver(reminder_id=reminder.pk) == Reminder.State.SKIPPED
    assert mail.outbox == []


def test_the_database_refuses_a_second_reminder_of_the_same_step(team, strategy, officer):
    Reminder.objects.create(strategy=strategy, period=20223, step="first", recipient=officer, email="a@b.c")
    with pytest.raises(IntegrityError):
        Reminder.objects.create(
            strategy=strategy, period=20223, step="first", recipient=officer, email="a@b.c"
        )


def test_beat_task_runs_todays_step(settings, team):
    on(settings, datetime.date(2023, 1, 16))
    result = tasks.send_due_reminders.apply().get()
    assert result == {f"{team['1.1'].plan.strategy_id}:20223:due": 2}
    assert sorted(m.to[0] for m in mail.outbox) == ["gareth@council.example.org", "priya@council.example.org"]


def test_beat_schedule_has_the_reminder_job_in_london_time(settings):
    from ictstrategy.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["send-update-reminders"]
    assert entry["task"] == "reminders.tasks.send_due_reminders"
    assert entry["task"] in app.tasks
    assert settings.CELERY_TIMEZONE == "Europe/London"


def test_command_dry_run_prints_who_would_get_what_and_sends_nothing(settings, team, capsys):
    on(settings, datetime.date(2023, 1, 9))
    call_command("send_update_reminders", "--dry-run")
    out = capsys.readouterr().out
    assert "first reminder (dry run)" in out
    assert "priya@council.example.org>: would send: 2 action(s) 1.1, 1.2" in out
    assert mail.outbox == [] and not Reminder.objects.exists()

    call_command("send_update_reminders")
    call_command("send_update_reminders", "--dry-run")
    out = capsys.readouterr().out
    assert "already sent" in out
    assert len(mail.outbox) == 2


def test_command_on_a_quiet_day(settings, team, capsys):
    on(settings, datetime.date(2023, 2, 15))
    call_command("send_update_reminders")
    assert "no reminder step is due today" in capsys.readouterr().out


def test_returns_counted_in_one_query(team, django_assert_num_queries):
    UpdateFactory(action=team["2.1"], period=Q3.code)
    with django_assert_num_queries(1):
        assert action_selectors.update_returns(quarter=Q3) == (1, 3)


def test_an_officer_who_left_is_not_emailed_but_their_actions_are_escalated(settings, team, officer):
    officer.is_active = False
    officer.save()
    on(settings, datetime.date(2023, 1, 9))
    services.reminders_run_due_steps()
    assert [m.to for m in mail.outbox] == [["gareth@council.example.org"]]
    on(settings, datetime.date(2023, 1, 17))
    services.reminders_run_due_steps()
    assert "1.1 Roll out Teams" in mail.outbox[-1].body


def test_a_closed_plans_actions_owe_no_update(settings, team, plan, django_assert_num_queries):
    """A closed plan can take no more updates, so its actions are neither expected nor chased."""
    assert action_selectors.update_returns(quarter=Q3) == (0, 3)
    ActionPlan.objects.filter(pk=plan.pk).update(status=ActionPlan.Status.CLOSED)
    with django_assert_num_queries(1):
        assert action_selectors.update_returns(quarter=Q3) == (0, 0)
    assert not action_selectors.actions_missing_update(quarter=Q3).exists()
    on(settings, datetime.date(2023, 1, 9))  # the first reminders' day
    services.reminders_run_due_steps()
    assert not mail.outbox
