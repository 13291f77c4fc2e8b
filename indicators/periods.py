"""An indicator's periods: a month, a quarter or a financial year, named by its last day.

A value is stored against its period's last day (`period_end`), so "the latest value
for a period at or before the quarter's end" is a plain `period_end <= quarter.last_day`
whatever the indicator's frequency. Quarter arithmetic itself is core.quarters'.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

from core.quarters import Quarter, financial_year_label, financial_year_of

MONTHLY, QUARTERLY, ANNUAL = "monthly", "quarterly", "annual"

_MONTH_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_YEAR = re.compile(r"^\s*(\d{4})/(\d{2})\s*$")
_MONTH_NAMES = {
    datetime.date(2000, m, 1).strftime(fmt).lower(): m for m in range(1, 13) for fmt in ("%B", "%b")
}


def _month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


@dataclass(frozen=True, order=True)
class Period:
    """One period of an indicator: ordered by its last day."""

    end: datetime.date
    frequency: str

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(_month_end(year, month), MONTHLY)

    @classmethod
    def of_quarter(cls, quarter: Quarter) -> Period:
        return cls(quarter.last_day, QUARTERLY)

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls(datetime.date(year + 1, 3, 31), ANNUAL)

    @classmethod
    def ending(cls, end: datetime.date, frequency: str) -> Period:
        """The period of `frequency` that contains `end`."""
        if frequency == MONTHLY:
            return cls.month(end.year, end.month)
        if frequency == QUARTERLY:
            return cls.of_quarter(Quarter.containing(end))
        return cls.of_year(financial_year_of(end))

    @classmethod
    def parse(cls, text: str, frequency: str) -> Period:
        """A period as people write it: "2022-11" or "November 2022" (monthly), "2022/23 Q3"
        or 20223 (quarterly), "2022/23" (annual). ValueError with an example otherwise."""
        text = str(text).strip()
        if frequency == MONTHLY:
            match = _MONTH_ISO.match(text)
            if match and 1 <= int(match[2]) <= 12:
                return cls.month(int(match[1]), int(match[2]))
            parts = text.replace(",", " ").split()
            if len(parts) == 2 and parts[0].lower() in _MONTH_NAMES and parts[1].isdigit():
                return cls.month(int(parts[1]), _MONTH_NAMES[parts[0].lower()])
            raise ValueError(f'"{text}" is not a month: write it like 2022-11 or November 2022.')
        if frequency == QUARTERLY:
            try:
                return cls.of_quarter(Quarter.parse(text))
            except ValueError:
                raise ValueError(f'"{text}" is not a quarter: write it like 2022/23 Q3.') from None
        match = _YEAR.match(text)
        if match and (int(match[1]) + 1) % 100 == int(match[2]):
            return cls.of_year(int(match[1]))
        raise ValueError(f'"{text}" is not a financial year: write it like 2022/23.')

    @property
    def start(self) -> datetime.date:
        if self.frequency == MONTHLY:
            return self.end.replace(day=1)
        if self.frequency == QUARTERLY:
            return self.quarter.first_day
        return datetime.date(self.end.year - 1, 4, 1)

    @property
    def quarter(self) -> Quarter:
        """The quarter the period ends in (its lock, its target)."""
        return Quarter.containing(self.end)

    @property
    def year(self) -> int:
        return financial_year_of(self.end)

    @property
    def label(self) -> str:
        if self.frequency == MONTHLY:
            return f"{self.end:%B %Y}"
        if self.frequency == QUARTERLY:
            return self.quarter.label
        return financial_year_label(self.year)

    @property
    def short_label(self) -> str:
        if self.frequency == MONTHLY:
            return f"{self.end:%b %y}"
        return self.label

    @property
    def code(self) -> str:
        """How the form and the API write it (Period.parse reads it back)."""
        if self.frequency == MONTHLY:
            return f"{self.end:%Y-%m}"
        return self.label

    def previous(self) -> Period:
        if self.frequency == MONTHLY:
            return Period.ending(self.start - datetime.timedelta(days=1), MONTHLY)
        if self.frequency == QUARTERLY:
            return Period.of_quarter(self.quarter.previous())
        return Period.of_year(self.year - 1)

    def year_earlier(self) -> Period:
        if self.frequency == MONTHLY:
            return Period.month(self.end.year - 1, self.end.month)
        if self.frequency == QUARTERLY:
            quarter = self.quarter
            return Period.of_quarter(Quarter(quarter.year - 1, quarter.number))
        return Period.of_year(self.year - 1)

    def __str__(self) -> str:
        return self.label


@functools.cache
def periods_in(quarter: Quarter, frequency: str) -> tuple[Period, ...]:
    """The periods of `frequency` that end in `quarter` (three months, one quarter, or the
    year in Q4 only)."""
    if frequency == MONTHLY:
        first = quarter.first_day
        return tuple(Period.ending(_add_months(first, n), MONTHLY) for n in range(3))
    if frequency == QUARTERLY:
        return (Period.of_quarter(quarter),)
    return (Period.of_year(quarter.year),) if quarter.number == 4 else ()


def periods_between(first: Period, last: Period) -> list[Period]:
    result, current = [], first
    while current <= last:
        result.append(current)
        current = Period.ending(current.end + datetime.timedelta(days=1), current.frequency)
    return result


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    return datetime.date(day.year + index // 12, index % 12 + 1, 1)
