"""Remind every officer missing an update at once: the missing-updates page's bulk action.

One rule, one home: each officer is reminded through services.reminder_send_now,
whose row is claimed before its e-mail is sent (one manual reminder per officer a
day), so a double submit, two administrators at once or a retry send each officer
one e-mail. This module only says who would be reminded, and collects what happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from actionplan import window as windows
from core import clock
from core.quarters import Quarter
from reminders import selectors, services
from reminders.models import Reminder
from themes.models import Strategy


@dataclass
class Plan:
    """Who "remind everyone" would e-mail now, and who it would skip and why."""

    quarter: Quarter
    locked: bool
    to_remind: list[tuple] = field(default_factory=list)  # (officer, [actions])
    no_email: list[tuple] = field(default_factory=list)
    reminded_today: list[tuple] = field(default_factory=list)

    @property
    def action_count(self) -> int:
        return sum(len(actions) for _officer, actions in self.to_remind)


def remind_everyone_plan(*, strategy: Strategy, quarter: Quarter) -> Plan:
    plan = Plan(quarter=quarter, locked=windows.is_quarter_locked(quarter))
    if plan.locked:
        return plan
    today = set(
        Reminder.objects.filter(
            strategy=strategy, period=quarter.code, step=Reminder.Step.MANUAL, day=clock.today()
        ).values_list("recipient_id", flat=True)
    )
    for officer, actions in selectors.missing_by_officer(strategy, quarter):
        if not officer.email:
            plan.no_email.append((officer, actions))
        elif officer.pk in today:
            plan.reminded_today.append((officer, actions))
        else:
            plan.to_remind.append((officer, actions))
    return plan


@dataclass
class Outcome:
    sent: list[Reminder] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why, in words, one per officer


def reminders_send_now_to_everyone(*, strategy: Strategy, quarter: Quarter, requested_by) -> Outcome:
    """Remind each officer still missing an update for `quarter` (as decided now, not when
    the confirmation page was shown). Raises ValidationError for a locked quarter."""
    if windows.is_quarter_locked(quarter):
        raise ValidationError(f"{quarter.label} is locked: it has been reported, so no more reminders.")
    outcome = Outcome()
    for officer, _actions in selectors.missing_by_officer(strategy, quarter):
        try:
            outcome.sent.append(
                services.reminder_send_now(
                    strategy=strategy, quarter=quarter, officer=officer, requested_by=requested_by
                )
            )
        except ValidationError as exc:
            outcome.skipped.append(" ".join(exc.messages))
    return outcome
