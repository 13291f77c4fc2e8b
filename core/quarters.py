"""Quarters of the UK financial year (1 April to 31 March).

A financial year is named by the calendar year it starts in: 2019 is 2019/20,
1 April 2019 to 31 March 2020. Q1 is April-June, Q2 July-September, Q3
October-December, Q4 January-March (of the following calendar year).

A quarter is stored in the database as one integer `code`, year * 10 + number
(2019/20 Q3 is 20193), so that "up to and including Q" is a plain `<=`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

_LABEL = re.compile(r"^\s*(\d{4})/(\d{2})\s*Q([1-4])\s*$")


def code_of(year, number):
    """A quarter's stored code, year * 10 + number; also for query expressions (F("plan__year"))."""
    return year * 10 + number


def financial_year_of(day: datetime.date) -> int:
    """The financial year (its starting calendar year) that `day` falls in."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def financial_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    def __post_init__(self):
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"Quarter number must be 1 to 4, not {self.number!r}.")
        if not 1900 <= self.year <= 2999:
            raise ValueError(f"Financial year {self.year!r} is out of range.")

    @classmethod
    def containing(cls, day: datetime.date) -> Quarter:
        year = financial_year_of(day)
        # April (4) -> Q1 ... December (12) -> Q3, January (1) -> Q4.
        number = ((day.month - 4) % 12) // 3 + 1
        return cls(year, number)

    @classmethod
    def from_code(cls, code: int) -> Quarter:
        return cls(int(code) // 10, int(code) % 10)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Parse "2019/20 Q3" or a code such as "20193"."""
        text = str(text).strip()
        if text.isdigit() and len(text) == 5:
            return cls.from_code(int(text))
        match = _LABEL.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a quarter such as 2019/20 Q3.")
        year, short_next, number = int(match[1]), int(match[2]), int(match[3])
        if (year + 1) % 100 != short_next:
            raise ValueError(f"{text!r} is not a financial year.")
        return cls(year, number)

    @property
    def code(self) -> int:
        return code_of(self.year, self.number)

    @property
    def first_day(self) -> datetime.date:
        month = 4 + (self.number - 1) * 3
        if month > 12:
            return datetime.date(self.year + 1, month - 12, 1)
        return datetime.date(self.year, month, 1)

    @property
    def last_day(self) -> datetime.date:
        return self.next().first_day - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{financial_year_label(self.year)} Q{self.number}"

    @property
    def months_label(self) -> str:
        first, last = self.first_day, self.last_day
        return f"{first:%B} to {last:%B %Y}"

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def contains(self, day: datetime.date) -> bool:
        return self.first_day <= day <= self.last_day

    def __str__(self) -> str:
        return self.label


def year_quarters(year: int) -> list[Quarter]:
    """Q1 to Q4 of financial year `year`."""
    return [Quarter(year, n) for n in (1, 2, 3, 4)]


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from `first` to `last`, both included."""
    result = []
    current = first
    while current <= last:
        result.append(current)
        current = current.next()
    return result


def quarter_choices(first_year: int, last_year: int) -> list[tuple[int, str]]:
    return [(q.code, q.label) for q in quarters_between(Quarter(first_year, 1), Quarter(last_year, 4))]
