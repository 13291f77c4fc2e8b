"""The reporting calendar: when a quarter's updates are due, are chased and go to the board.

When updates can be entered at all is not the calendar's: actionplan.window opens a
quarter on its first day and closes it when it is locked (QuarterDates.opens_on only
shows that first day).

Working days exclude weekends and England and Wales bank holidays, taken from the
maintained `holidays` package (its data is updated when a bank holiday is added,
such as a coronation), so nobody keeps a list by hand.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.conf import settings

from core.quarters import Quarter

ONE_DAY = datetime.timedelta(days=1)
ESCALATION_CATCH_UP = datetime.timedelta(days=7)

DEFAULTS = {
    "due_working_days": 10,
    "first_reminder_days": 7,
    "board_report_working_days": 20,
}


@lru_cache(maxsize=32)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    # England and Wales share one list; "ENG" is how the package names it.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: datetime.date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The `count`th working day after `day` (which itself is not counted)."""
    while count > 0:
        day += ONE_DAY
        if is_working_day(day):
            count -= 1
    return day


def next_working_day(day: datetime.date) -> datetime.date:
    return add_working_days(day, 1)


def working_day_on_or_before(day: datetime.date) -> datetime.date:
    while not is_working_day(day):
        day -= ONE_DAY
    return day


@dataclass(frozen=True)
class QuarterDates:
    """One quarter's reporting dates, and which reminder step falls on a day."""

    quarter: Quarter
    first_reminder_on: datetime.date
    due_on: datetime.date
    escalation_on: datetime.date
    board_report_on: datetime.date

    def step_on(self, day: datetime.date) -> str | None:
        """The step the daily job runs on `day`, or None.

        The first reminder and the escalation run every day of their window, so a
        day the job did not run is caught up the next day; the claim on each
        reminder keeps that from sending anything twice. The due-day reminder only
        makes sense on the day.
        """
        if self.first_reminder_on <= day < self.due_on:
            return "first"
        if day == self.due_on:
            return "due"
        # A missed job catches up until the board report goes, and for a week at least.
        if self.escalation_on <= day < max(self.board_report_on, self.escalation_on + ESCALATION_CATCH_UP):
            return "escalation"
        return None

    @property
    def opens_on(self) -> datetime.date:
        """Updates for the quarter can be entered from its first day (actionplan.window's rule)."""
        return self.quarter.first_day


def quarter_dates(quarter: Quarter, calendar=None) -> QuarterDates:
    """Dates for `quarter` under a strategy's ReportingCalendar (or the defaults)."""
    rules = {name: getattr(calendar, name, default) for name, default in DEFAULTS.items()}
    end = quarter.last_day
    due_on = add_working_days(end, rules["due_working_days"])
    if calendar is None:
        # No calendar of its own: the board-report schedule's setting (issue 5's "N days
        # after quarter end"), so the calendar shows the day the report really goes.
        board_report_on = end + datetime.timedelta(days=settings.BOARD_REPORT_DAYS_AFTER_QUARTER)
    else:
        board_report_on = add_working_days(end, rules["board_report_working_days"])
    override = _override(calendar, quarter)
    if override is not None:
        due_on = override.due_on or due_on
        board_report_on = override.board_report_on or board_report_on
    first_reminder = due_on - datetime.timedelta(days=rules["first_reminder_days"])
    return QuarterDates(
        quarter=quarter,
        first_reminder_on=working_day_on_or_before(first_reminder),
        due_on=due_on,
        escalation_on=next_working_day(due_on),
        board_report_on=max(board_report_on, next_working_day(due_on)),
    )


def _override(calendar, quarter: Quarter):
    if calendar is None or calendar.pk is None:
        return None
    # Prefetched deadlines avoid a query per quarter on pages listing several.
    cache = getattr(calendar, "_prefetched_objects_cache", {}).get("deadlines")
    if cache is not None:
        return next((d for d in cache if d.period == quarter.code), None)
    return calendar.deadlines.filter(period=quarter.code).first()
