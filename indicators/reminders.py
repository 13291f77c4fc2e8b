"""Reminders for indicator values: owners are reminded before each value is due, by their
indicators' frequency, and late values are escalated to the administrators.

A value for a period (a month, a quarter or a financial year) is due INDICATOR_VALUE_DUE_DAYS
after the period ends. From INDICATOR_REMINDER_DAYS_BEFORE days before that day until it,
each owner with values still missing gets one e-mail listing them; from
INDICATOR_ESCALATION_DAYS_AFTER days after it (for two weeks, so a day the schedule missed
still sends), each administrator gets one e-mail listing every value still late. Periods of a
locked quarter take no value and are never chased.

Sending works as reminders.services does: each e-mail is claimed by inserting its
ValueReminder row first (one per person, step and due day), sent, and its state recorded
through a lost connection (core.persist); a failed one is resent by the next run, a claim
left "sending" by a dead worker is failed by the sweeper and resent with the same Message-ID,
and what arrived between the claim and the send is left out (or the e-mail skipped).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from actionplan import window
from core import clock, emails
from core.persist import persist
from indicators.models import Indicator, IndicatorValue, ValueReminder
from indicators.periods import Period

log = logging.getLogger(__name__)
Step, State = ValueReminder.Step, ValueReminder.State
LATE_WINDOW = datetime.timedelta(days=14)


def due_on(period: Period) -> datetime.date:
    """The day a period's value is due."""
    return period.end + datetime.timedelta(days=settings.INDICATOR_VALUE_DUE_DAYS)


def period_due_on(indicator: Indicator, day: datetime.date) -> Period | None:
    """The period of `indicator` whose value is due on `day`, if one is."""
    end = day - datetime.timedelta(days=settings.INDICATOR_VALUE_DUE_DAYS)
    period = Period.ending(end, indicator.frequency)
    return period if period.end == end else None


@dataclass(frozen=True)
class Owed:
    indicator: Indicator
    period: Period

    @property
    def due_on(self) -> datetime.date:
        return due_on(self.period)


def owed_between(first: datetime.date, last: datetime.date, *, indicators=None) -> list[Owed]:
    """Values due from `first` to `last` (due days) and not recorded for the whole service, of
    the active strategies' indicators (or `indicators`), leaving out locked quarters."""
    from themes.selectors import active_strategies

    if indicators is None:
        indicators = Indicator.objects.filter(strategy__in=active_strategies())
    indicators = list(indicators.select_related("owner", "strategy"))
    locked = window.locked_up_to()
    wanted = []
    day = first
    while day <= last:
        for indicator in indicators:
            period = period_due_on(indicator, day)
            if period is None or period.year not in indicator.strategy.years:
                continue
            if locked is not None and period.quarter <= locked:
                continue
            wanted.append(Owed(indicator, period))
        day += datetime.timedelta(days=1)
    if not wanted:
        return []
    recorded = set(
        IndicatorValue.objects.filter(
            indicator__in=[o.indicator for o in wanted],
            period_end__in={o.period.end for o in wanted},
            partner__isnull=True,
        ).values_list("indicator_id", "period_end")
    )
    return [o for o in wanted if (o.indicator.pk, o.period.end) not in recorded]


@dataclass
class Planned:
    recipient: object
    step: str
    due_on: datetime.date
    owed: list[Owed]
    outcome: str = "would send"


def planned_today() -> list[Planned]:
    """Who gets which e-mail today: owners before the due day, administrators after it."""
    from reminders.selectors import administrators

    today = clock.today()
    days = datetime.timedelta(days=settings.INDICATOR_REMINDER_DAYS_BEFORE)
    late_after = datetime.timedelta(days=settings.INDICATOR_ESCALATION_DAYS_AFTER)
    planned: list[Planned] = []
    by_owner: dict = defaultdict(list)
    for owed in owed_between(today, today + days):
        by_owner[(owed.indicator.owner, owed.due_on)].append(owed)
    planned += [Planned(owner, Step.BEFORE, due, items) for (owner, due), items in by_owner.items()]
    by_due: dict = defaultdict(list)
    for owed in owed_between(today - late_after - LATE_WINDOW, today - late_after):
        by_due[owed.due_on].append(owed)
    admins = list(administrators())
    planned += [Planned(admin, Step.LATE, due, items) for due, items in by_due.items() for admin in admins]
    return planned


def value_reminders_run(*, dry_run: bool = False) -> list[Planned]:
    """Send today's e-mails (each claimed once). Returns what was planned, with each outcome."""
    planned = planned_today()
    for item in planned:
        if not item.recipient.is_active:
            item.outcome = "account inactive"
        elif not item.recipient.email:
            item.outcome = "no e-mail address"
        elif dry_run:
            taken = ValueReminder.objects.filter(recipient=item.recipient, step=item.step, due_on=item.due_on)
            item.outcome = "already sent" if taken.exclude(state=State.FAILED).exists() else "would send"
        else:
            reminder = _claim(item)
            item.outcome = (
                "already sent" if reminder is None else value_reminder_deliver(reminder_id=reminder.pk)
            )
    if not dry_run and planned:
        log.info(
            "Value reminders: %s", {f"{p.recipient.username}:{p.step}:{p.due_on}": p.outcome for p in planned}
        )
    return planned


def _claim(item: Planned) -> ValueReminder | None:
    """Insert the e-mail's row; None when another run already has it."""
    indicators = [o.indicator for o in item.owed]
    try:
        with transaction.atomic():
            reminder = ValueReminder.objects.create(
                recipient=item.recipient, step=item.step, due_on=item.due_on, email=item.recipient.email
            )
            reminder.indicators.set(indicators)
        return reminder
    except IntegrityError:
        existing = ValueReminder.objects.get(recipient=item.recipient, step=item.step, due_on=item.due_on)
        if existing.state not in (State.FAILED, State.PENDING):
            return None
        existing.indicators.set(indicators)
        return existing


def value_reminder_deliver(*, reminder_id: int) -> str:
    """Send one claimed e-mail if it is waiting or failed; return its new state."""
    taken = ValueReminder.objects.filter(pk=reminder_id, state__in=[State.PENDING, State.FAILED]).update(
        state=State.SENDING, attempts=F("attempts") + 1, claimed_at=clock.now()
    )
    reminder = ValueReminder.objects.select_related("recipient").get(pk=reminder_id)
    if not taken:
        return reminder.state
    # Only what is still missing now: a value may have been recorded since the claim.
    owed = owed_between(reminder.due_on, reminder.due_on, indicators=reminder.indicators.all())
    if not owed:
        return _finish(reminder, State.SKIPPED)
    owed.sort(key=lambda o: (o.indicator.theme_id, o.indicator.code))
    context = {
        "recipient": reminder.recipient,
        "step": reminder.step,
        "due_on": reminder.due_on,
        "owed": owed,
        "late": reminder.step == Step.LATE,
    }
    try:
        emails.send(
            "indicator_values",
            [reminder.email],
            context,
            message_id=emails.message_id("indicator-reminder", reminder.pk),
        )
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
        log.warning("Value reminder %s to %s failed: %s", reminder.pk, reminder.email, exc)
        return _finish(reminder, State.FAILED, error=f"{type(exc).__name__}: {exc}"[:1000])
    return _finish(reminder, State.SENT)


def _finish(reminder: ValueReminder, state: str, *, error: str = "") -> str:
    sent_at = clock.now() if state == State.SENT else None
    # Recorded through a lost database connection too: the e-mail may have left already.
    persist(
        lambda: ValueReminder.objects.filter(pk=reminder.pk, state=State.SENDING).update(
            state=state, error=error, sent_at=sent_at
        )
    )
    return state


def value_reminders_sweep() -> int:
    """Fail claims older than the stale-claim time (their sender died): the next run resends them."""
    from reminders.services import INTERRUPTED

    cutoff = clock.now() - datetime.timedelta(seconds=settings.BOARD_REPORT_STALE_CLAIM_SECONDS)
    return ValueReminder.objects.filter(state=State.SENDING, claimed_at__lt=cutoff).update(
        state=State.FAILED, error=INTERRUPTED
    )
