"""Writes for reminders: run the step due today, claim each e-mail, send it once.

Each e-mail is claimed by inserting its Reminder row before it is sent. The
unique constraint (one per strategy, person, quarter and step) means a job run
twice, or two workers at once, find the row taken and send nothing. A failed
send is recorded; the next run resends only the failed ones (and any claimed but
never sent, as a run stopped by a database error leaves them). A row left in
"sending" by a worker that died mid-send is failed by the sweeper
(reminders_sweep) and queued again, sent with the same Message-ID: we cannot
know whether the mail server accepted it, and an officer never reminded is worse
than a second copy that mail clients recognise as the same message.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F

from accounts import access
from actionplan import selectors as action_selectors
from actionplan import window as windows
from actionplan.models import by_reference
from core import clock, emails
from core.persist import persist
from core.quarters import Quarter
from reminders import selectors
from reminders.models import Reminder
from themes.models import Strategy

log = logging.getLogger(__name__)

Step = Reminder.Step
State = Reminder.State


@dataclass
class Planned:
    recipient: object
    actions: list
    outcome: str = "would send"


@dataclass
class StepReport:
    strategy: Strategy
    quarter: Quarter
    step: str
    planned: list[Planned] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for p in self.planned if p.outcome == outcome)

    @property
    def failed(self) -> int:
        return self.count(State.FAILED)


def due_steps() -> list[tuple[Strategy, Quarter, str]]:
    """(strategy, quarter, step) for each step the calendar puts on today."""
    today = clock.today()
    current = clock.current_quarter()
    due = []
    for strategy in selectors.active_strategies():
        if strategy.calendar is not None and not strategy.calendar.reminders_enabled:
            continue
        # A quarter's steps fall after its end, or late in it with a short deadline.
        for quarter in (current.previous(), current):
            if windows.is_quarter_locked(quarter):
                continue
            step = selectors.dates_for(strategy, quarter).step_on(today)
            if step:
                due.append((strategy, quarter, step))
    return due


def reminders_run_due_steps(*, dry_run: bool = False) -> list[StepReport]:
    return [
        reminders_run_step(strategy=strategy, quarter=quarter, step=step, dry_run=dry_run)
        for strategy, quarter, step in due_steps()
    ]


def recipients_for(strategy: Strategy, quarter: Quarter, step: str) -> list[Planned]:
    """Who gets the step's e-mail, with the actions it lists."""
    by_officer = selectors.missing_by_officer(strategy, quarter)
    if step != Step.ESCALATION:
        return [Planned(officer, actions) for officer, actions in by_officer]
    if not by_officer:
        return []
    every_missing = [action for _, actions in by_officer for action in actions]
    return [Planned(admin, every_missing) for admin in selectors.administrators()]


def reminders_run_step(
    *, strategy: Strategy, quarter: Quarter, step: str, dry_run: bool = False
) -> StepReport:
    report = StepReport(strategy, quarter, step, recipients_for(strategy, quarter, step))
    for planned in report.planned:
        if not planned.recipient.is_active:
            # Someone who left: their actions still show in the escalation.
            planned.outcome = "account inactive"
            continue
        if not planned.recipient.email:
            planned.outcome = "no e-mail address"
            continue
        if dry_run:
            planned.outcome = _dry_run_outcome(strategy, quarter, step, planned.recipient)
            continue
        reminder = _claim(strategy, quarter, step, planned.recipient, planned.actions)
        if reminder is None:
            planned.outcome = "already sent"
            continue
        planned.outcome = reminder_deliver(reminder_id=reminder.pk)
    if dry_run:
        return report
    log.info(
        "Reminders %s %s %s: %s",
        strategy.pk,
        quarter.label,
        step,
        {p.recipient.username: p.outcome for p in report.planned},
    )
    return report


def _dry_run_outcome(strategy, quarter, step, recipient) -> str:
    existing = Reminder.objects.filter(
        strategy=strategy, period=quarter.code, step=step, recipient=recipient
    ).first()
    if existing is None:
        return "would send"
    return "would resend (failed before)" if existing.state == State.FAILED else "already sent"


def _claim(strategy, quarter, step, recipient, actions) -> Reminder | None:
    """Insert the step's row for `recipient`; None when another run already has it."""
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                strategy=strategy,
                period=quarter.code,
                step=step,
                recipient=recipient,
                email=recipient.email,
                day=clock.today(),
            )
            reminder.actions.set(actions)
        return reminder
    except IntegrityError:
        existing = Reminder.objects.get(
            strategy=strategy, period=quarter.code, step=step, recipient=recipient
        )
        if existing.state not in (State.FAILED, State.PENDING):
            return None  # sent, being sent or not needed: nothing to do
        existing.actions.set(actions)
        return existing


def reminder_deliver(*, reminder_id: int) -> str:
    """Send one claimed reminder if it is waiting or failed; return its new state."""
    taken = Reminder.objects.filter(pk=reminder_id, state__in=[State.PENDING, State.FAILED]).update(
        state=State.SENDING, attempts=F("attempts") + 1, claimed_at=clock.now()
    )
    try:
        reminder = Reminder.objects.select_related("strategy", "recipient").get(pk=reminder_id)
        if not taken:
            return reminder.state
        quarter = reminder.quarter
        # Only what is still missing now: an update may have arrived since the claim.
        actions = list(
            action_selectors.actions_missing_update(quarter=quarter, actions=reminder.actions.all())
            .select_related("lead_officer")
            .order_by("lead_officer__first_name", "lead_officer__last_name", *by_reference())
        )
        if not actions:
            return _finish(reminder, State.SKIPPED)
        dates = selectors.dates_for(reminder.strategy, quarter)
    except DatabaseError:
        if taken:
            # Nothing was sent: give the claim back (on a fresh connection) for the task's
            # retry, which would otherwise find it "sending" and leave it to the sweeper.
            persist(
                lambda: Reminder.objects.filter(pk=reminder_id, state=State.SENDING).update(
                    state=State.PENDING
                )
            )
        raise
    name = "escalation" if reminder.step == Step.ESCALATION else "reminder"
    try:
        emails.send(
            name,
            [reminder.email],
            _context(reminder, dates, actions),
            message_id=emails.message_id("reminder", reminder.pk),
        )
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
        log.warning("Reminder %s to %s failed: %s", reminder.pk, reminder.email, exc)
        return _finish(reminder, State.FAILED, error=f"{type(exc).__name__}: {exc}"[:1000])
    return _finish(reminder, State.SENT)


def _finish(reminder: Reminder, state: str, *, error: str = "") -> str:
    sent_at = clock.now() if state == State.SENT else None
    # Recorded through a lost database connection too: the e-mail may have left already.
    persist(
        lambda: Reminder.objects.filter(pk=reminder.pk, state=State.SENDING).update(
            state=state, error=error, sent_at=sent_at
        )
    )
    return state


INTERRUPTED = (
    "Interrupted while sending (the worker stopped): it may or may not have arrived. "
    "It is sent again, with the same Message-ID."
)


def reminders_sweep() -> int:
    """Fail reminders claimed longer ago than the stale-claim time (their sender died) and
    queue each to be sent again, the same day, with the same Message-ID: the step's own
    run may not come back (the due-day reminder runs on the due day alone). Returns how
    many were failed.
    """
    from reminders.tasks import send_reminder

    cutoff = clock.now() - datetime.timedelta(seconds=settings.BOARD_REPORT_STALE_CLAIM_SECONDS)
    stale = Reminder.objects.filter(state=State.SENDING, claimed_at__lt=cutoff)
    pks = list(stale.values_list("pk", flat=True))
    failed = stale.filter(pk__in=pks).update(state=State.FAILED, error=INTERRUPTED)
    for pk in pks:
        # reminder_deliver claims it only if it is still failed (or pending): never twice.
        transaction.on_commit(lambda pk=pk: send_reminder.delay(pk))
    return failed


def _context(reminder: Reminder, dates, actions) -> dict:
    officers: dict[int, tuple] = {}
    for action in actions:
        officers.setdefault(action.lead_officer_id, (action.lead_officer, []))[1].append(action)
    return {
        "recipient": reminder.recipient,
        "step": reminder.step,
        "strategy": reminder.strategy,
        "quarter": reminder.quarter,
        "dates": dates,
        "actions": actions,
        "by_officer": list(officers.values()),
        "requested_by": reminder.requested_by,
    }


def reminder_send_now(*, strategy: Strategy, quarter: Quarter, officer, requested_by) -> Reminder:
    """An administrator reminds one officer now about their missing updates.

    At most one such reminder per officer per day, so a double click sends one.
    The e-mail goes from the worker once the row is committed.
    """
    if not access.can_chase_updates(requested_by):
        raise PermissionDenied("Only administrators can send reminders.")
    if windows.is_quarter_locked(quarter):
        raise ValidationError(f"{quarter.label} is locked: it has been reported.")
    if not officer.email:
        raise ValidationError(f"{officer.display_name} has no e-mail address in the portal.")
    actions = list(selectors.missing_updates(strategy, quarter, officer=officer))
    if not actions:
        raise ValidationError(f"{officer.display_name} has no missing updates for {quarter.label}.")
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                strategy=strategy,
                period=quarter.code,
                step=Step.MANUAL,
                recipient=officer,
                email=officer.email,
                day=clock.today(),
                requested_by=requested_by,
            )
            reminder.actions.set(actions)
    except IntegrityError:
        # Today's reminder failed (the queue was down, the e-mail refused): this is its retry.
        reminder = Reminder.objects.filter(
            strategy=strategy,
            period=quarter.code,
            step=Step.MANUAL,
            recipient=officer,
            day=clock.today(),
            state=State.FAILED,
        ).first()
        if reminder is None:
            raise ValidationError(f"{officer.display_name} has already been reminded today.") from None
        reminder.actions.set(actions)

    transaction.on_commit(lambda: _enqueue_reminder(reminder))
    return reminder


QUEUE_DOWN = (
    "The job queue could not be reached, so the reminder to {name} was not sent ({error}). "
    "Try again once the queue (the broker) is back."
)


def _enqueue_reminder(reminder: Reminder) -> None:
    """Queue the e-mail; a broker that cannot be reached fails the reminder with the reason
    (never left "pending" with nothing queued) and says so (ValidationError), so asking
    again once the broker is back sends it."""
    from reminders.tasks import send_reminder

    try:
        send_reminder.delay(reminder.pk)
    except Exception as exc:  # noqa: BLE001 - kombu, redis and socket errors alike
        log.error("Could not queue reminder %s: %s", reminder.pk, exc)
        error = QUEUE_DOWN.format(name=reminder.recipient.display_name, error=f"{type(exc).__name__}: {exc}")
        Reminder.objects.filter(pk=reminder.pk, state__in=[State.PENDING, State.FAILED]).update(
            state=State.FAILED, error=error[:1000]
        )
        raise ValidationError(error) from exc
