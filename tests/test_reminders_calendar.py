"""The reporting calendar: working days, England and Wales bank holidays, steps."""

import datetime

import pytest

from core.quarters import Quarter
from reminders.calendar import add_working_days, is_bank_holiday, quarter_dates
from reminders.models import QuarterDeadline, ReportingCalendar

D = datetime.date


def test_q3_updates_due_ten_working_days_after_christmas_and_new_year():
    # 31 Dec 2022 is a Saturday and Monday 2 January 2023 the New Year bank holiday.
    dates = quarter_dates(Quarter(2022, 3))
    assert dates.due_on == D(2023, 1, 16)
    assert dates.first_reminder_on == D(2023, 1, 9)
    assert dates.escalation_on == D(2023, 1, 17)
    assert dates.board_report_on == D(2023, 1, 17)
    assert dates.opens_on == D(2022, 10, 1)


def test_easter_moves_q4_deadline():
    # Good Friday 7 April and Easter Monday 10 April 2023 are not working days.
    assert quarter_dates(Quarter(2022, 4)).due_on == D(2023, 4, 18)


def test_escalation_on_next_working_day_after_a_friday_deadline():
    dates = quarter_dates(Quarter(2023, 1))
    assert dates.due_on == D(2023, 7, 14)  # a Friday
    assert dates.escalation_on == D(2023, 7, 17)  # the Monday


@pytest.mark.parametrize(
    "day, holiday",
    [(D(2023, 1, 2), True), (D(2023, 5, 8), True), (D(2022, 12, 27), True), (D(2023, 1, 3), False)],
)
def test_bank_holidays_of_england_and_wales(day, holiday):
    # 8 May 2023: the coronation, added to the calendar that year.
    assert is_bank_holiday(day) is holiday


def test_working_days_skip_weekends_and_holidays():
    assert add_working_days(D(2022, 12, 23), 1) == D(2022, 12, 28)


@pytest.mark.parametrize(
    "day, step",
    [
        (D(2023, 1, 6), None),
        (D(2023, 1, 9), "first"),
        (D(2023, 1, 13), "first"),
        (D(2023, 1, 16), "due"),
        (D(2023, 1, 17), "escalation"),
        (D(2023, 1, 23), "escalation"),
        (D(2023, 1, 24), None),
        (D(2023, 1, 30), None),
        (D(2023, 3, 1), None),
    ],
)
def test_step_on_each_day(day, step):
    assert quarter_dates(Quarter(2022, 3)).step_on(day) == step


@pytest.mark.django_db
def test_strategy_calendar_and_one_quarters_override(strategy):
    calendar = ReportingCalendar.objects.create(strategy=strategy, due_working_days=5, first_reminder_days=3)
    assert quarter_dates(Quarter(2022, 3), calendar).due_on == D(2023, 1, 9)
    # A deadline whose first reminder would fall on the New Year bank holiday
    # moves the reminder back to the working day before.
    QuarterDeadline.objects.create(calendar=calendar, period=20223, due_on=D(2023, 1, 5))
    dates = quarter_dates(Quarter(2022, 3), calendar)
    assert dates.due_on == D(2023, 1, 5)
    assert dates.first_reminder_on == D(2022, 12, 30)
    assert dates.escalation_on == D(2023, 1, 6)
