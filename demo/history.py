"""What happened around the demo's past quarters: the reminders and the board reports.

Both are idempotent: a second load finds them and adds nothing.

- Reminders: for every quarter reported, the rows the reminder schedule would have left:
  a first reminder and a due-day reminder to each officer still owing an update on that
  day, and an escalation to the administrators when any were still missing the day after
  the due date. Written directly (the e-mails went long ago), dated on the calendar's
  days (reminders.calendar), with "who owes" decided by actionplan.rules.owes_update_q
  and "received" by an overall update for exactly that quarter, as the schedule decides.
  The reporting quarter's first reminders, sent before the demo date, are there too.
- Board reports: every locked quarter's report built and sent through the real services
  (reporting.services.report_run_now), so /reports/ lists them with their PDFs and
  deliveries, then dated to the day the report went (the day its quarter was locked).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from accounts.models import User
from actionplan import rules
from actionplan.models import ActionQuarterState, ProgressUpdate
from core.quarters import Quarter
from demo.story import DEMO_TODAY, board_report_on
from reminders import selectors as reminder_selectors
from reminders.models import Reminder
from reporting import services as report_services
from reporting.models import BoardReport, Delivery

REMINDER_TIME = datetime.time(7, 0)  # the daily job's hour
# The board report day: requested, built, the quarter locked at 9:00, then sent.
REQUESTED_AT, BUILT_AT, SENT_AT = datetime.time(8, 40), datetime.time(8, 42), datetime.time(9, 5)


def _at(day: datetime.date, time: datetime.time, seconds: int = 0) -> datetime.datetime:
    moment = datetime.datetime.combine(day, time) + datetime.timedelta(seconds=seconds)
    return timezone.make_aware(moment)


# --- reminders ----------------------------------------------------------------


def reminders(strategy, *, up_to: Quarter, log) -> int:
    """The reminders sent for each quarter up to `up_to` (and the reporting quarter's so far)."""
    if Reminder.objects.filter(strategy=strategy).exists():
        return 0
    administrators = list(reminder_selectors.administrators())
    created = 0
    for quarter in strategy.quarters(up_to=up_to.next()):
        created += _quarter_reminders(strategy, quarter, administrators)
    log(f"Recorded {created} reminders sent.")
    return created


def _quarter_reminders(strategy, quarter: Quarter, administrators) -> int:
    owed = dict(
        ActionQuarterState.objects.filter(rules.owes_update_q(quarter), plan__strategy=strategy).values_list(
            "action_id", "action__lead_officer_id"
        )
    )
    if not owed:
        return 0
    received = dict(
        ProgressUpdate.objects.filter(period=quarter.code, partner__isnull=True, action_id__in=owed)
        .values("action_id")
        .annotate(first=Min("created_at"))
        .values_list("action_id", "first")
    )
    leads = {u.pk: u for u in User.objects.filter(pk__in=set(owed.values()))}
    dates = reminder_selectors.dates_for(strategy, quarter)
    created = 0
    steps = [
        (Reminder.Step.FIRST, dates.first_reminder_on),
        (Reminder.Step.DUE, dates.due_on),
        (Reminder.Step.ESCALATION, dates.escalation_on),
    ]
    for step, day in steps:
        if day >= DEMO_TODAY:
            continue  # the schedule has not got there yet
        moment = _at(day, REMINDER_TIME)
        missing = sorted(a for a in owed if received.get(a) is None or received[a] > moment)
        if not missing:
            continue
        if step == Reminder.Step.ESCALATION:
            targets = [(admin, missing) for admin in administrators]
        else:
            by_lead: dict[int, list[int]] = {}
            for action_id in missing:
                by_lead.setdefault(owed[action_id], []).append(action_id)
            targets = [(leads[lead], actions) for lead, actions in sorted(by_lead.items())]
        for n, (person, actions) in enumerate(targets):
            reminder = Reminder.objects.create(
                strategy=strategy,
                period=quarter.code,
                step=step,
                recipient=person,
                email=person.email,
                day=day,
                state=Reminder.State.SENT,
                attempts=1,
                created_at=moment,
                sent_at=_at(day, REMINDER_TIME, seconds=2 + n),
            )
            reminder.actions.set(actions)
            created += 1
    return created


# --- board reports ------------------------------------------------------------------


def board_reports(strategy, admin, *, up_to: Quarter, log) -> int:
    """Build and send every locked quarter's board report that is not sent yet."""
    built = 0
    for quarter in strategy.quarters(up_to=up_to):
        sent = BoardReport.objects.filter(
            strategy=strategy, period=quarter.code, state=BoardReport.State.SENT
        )
        if sent.exists():
            continue
        with transaction.atomic():
            report = report_services.report_run_now(quarter=quarter, send=True, user=admin, strategy=strategy)
            if report.state != BoardReport.State.SENT:
                raise RuntimeError(f"The {quarter.label} board report was not sent: {report.error}")
            _date(report, board_report_on(quarter))
        built += 1
        log(f"Built and sent the {quarter.label} board report ({report.page_count} pages).")
    return built


def _date(report: BoardReport, day: datetime.date) -> None:
    """Put the report on the day it went to the board, as if the schedule had run then."""
    sent = _at(day, SENT_AT)
    BoardReport.objects.filter(pk=report.pk).update(
        created_at=_at(day, REQUESTED_AT),
        requested_at=_at(day, REQUESTED_AT),
        built_at=_at(day, BUILT_AT),
        sent_at=sent,
    )
    Delivery.objects.filter(report=report).update(claimed_at=sent, sent_at=sent)
