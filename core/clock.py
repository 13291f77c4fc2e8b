"""The portal's one clock.

Every rule that depends on the date (current quarter, overdue, reminders, the
default plan year) asks this module. Production uses the real date; the demo runs
at a fixed date set by PORTAL_TODAY; tests freeze it with `time-machine` or
override the setting.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from core.quarters import Quarter, financial_year_of


def fixed_date() -> datetime.date | None:
    value = getattr(settings, "PORTAL_TODAY", None)
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


def today() -> datetime.date:
    return fixed_date() or timezone.localdate()


def now() -> datetime.datetime:
    """The current time; on a fixed portal date, that date at the real time of day."""
    real = timezone.localtime()
    day = fixed_date()
    if day is None:
        return real
    return real.replace(year=day.year, month=day.month, day=day.day)


def current_quarter() -> Quarter:
    return Quarter.containing(today())


def last_ended_quarter() -> Quarter:
    """The latest quarter that has ended: the newest "as at" picture there can be."""
    return current_quarter().previous()


def current_financial_year() -> int:
    return financial_year_of(today())


def reporting_quarter() -> Quarter:
    """The quarter officers are reporting on by default.

    During the first month of a quarter, updates for the quarter just ended are
    still coming in, so that is the default; otherwise the current quarter.
    """
    current = current_quarter()
    day = today()
    if day.month == current.first_day.month:
        return current.previous()
    return current
