import datetime

import time_machine

from core import clock
from core.quarters import Quarter


def test_portal_today_comes_from_the_setting(settings):
    settings.PORTAL_TODAY = "2023-01-16"
    assert clock.today() == datetime.date(2023, 1, 16)
    assert clock.now().date() == datetime.date(2023, 1, 16)
    assert clock.current_quarter() == Quarter(2022, 4)
    assert clock.current_financial_year() == 2022


def test_real_date_when_unset(settings):
    settings.PORTAL_TODAY = None
    with time_machine.travel(datetime.datetime(2024, 4, 1, 12, tzinfo=datetime.UTC), tick=False):
        assert clock.today() == datetime.date(2024, 4, 1)
        assert clock.current_quarter() == Quarter(2024, 1)


def test_reporting_quarter_is_previous_during_first_month(settings):
    settings.PORTAL_TODAY = "2023-01-16"
    assert clock.reporting_quarter() == Quarter(2022, 3)
    settings.PORTAL_TODAY = "2023-02-01"
    assert clock.reporting_quarter() == Quarter(2022, 4)
    settings.PORTAL_TODAY = "2023-04-30"
    assert clock.reporting_quarter() == Quarter(2022, 4)
