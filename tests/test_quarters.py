import datetime

import pytest

from core.quarters import Quarter, financial_year_label, financial_year_of, quarters_between

D = datetime.date


@pytest.mark.parametrize(
    "day, expected",
    [
        (D(2020, 3, 31), Quarter(2019, 4)),  # last day of the financial year
        (D(2020, 4, 1), Quarter(2020, 1)),  # first day of the next
        (D(2019, 6, 30), Quarter(2019, 1)),
        (D(2019, 7, 1), Quarter(2019, 2)),
        (D(2019, 9, 30), Quarter(2019, 2)),
        (D(2019, 10, 1), Quarter(2019, 3)),
        (D(2019, 12, 31), Quarter(2019, 3)),
        (D(2020, 1, 1), Quarter(2019, 4)),
        (D(2020, 2, 29), Quarter(2019, 4)),
    ],
)
def test_quarter_containing_a_date(day, expected):
    assert Quarter.containing(day) == expected


def test_financial_year_edges():
    assert financial_year_of(D(2020, 3, 31)) == 2019
    assert financial_year_of(D(2020, 4, 1)) == 2020
    assert financial_year_label(2019) == "2019/20"
    assert financial_year_label(2099) == "2099/00"


@pytest.mark.parametrize(
    "quarter, first, last",
    [
        (Quarter(2019, 1), D(2019, 4, 1), D(2019, 6, 30)),
        (Quarter(2019, 2), D(2019, 7, 1), D(2019, 9, 30)),
        (Quarter(2019, 3), D(2019, 10, 1), D(2019, 12, 31)),
        (Quarter(2019, 4), D(2020, 1, 1), D(2020, 3, 31)),
    ],
)
def test_first_and_last_day(quarter, first, last):
    assert quarter.first_day == first
    assert quarter.last_day == last
    assert quarter.contains(first) and quarter.contains(last)
    assert not quarter.contains(last + datetime.timedelta(days=1))


def test_labels_codes_and_parsing():
    q = Quarter(2019, 3)
    assert q.label == "2019/20 Q3"
    assert q.code == 20193
    assert Quarter.from_code(20193) == q
    assert Quarter.parse("2019/20 Q3") == q
    assert Quarter.parse("20193") == q
    assert q.months_label == "October to December 2019"


@pytest.mark.parametrize("text", ["2019/21 Q3", "2019 Q3", "2019/20 Q5", "", "Q3"])
def test_parse_refuses_what_is_not_a_quarter(text):
    with pytest.raises(ValueError):
        Quarter.parse(text)


def test_next_and_previous_cross_the_year_end():
    assert Quarter(2019, 4).next() == Quarter(2020, 1)
    assert Quarter(2020, 1).previous() == Quarter(2019, 4)
    assert Quarter(2019, 4) < Quarter(2020, 1)
    assert len(quarters_between(Quarter(2019, 1), Quarter(2022, 3))) == 15


def test_invalid_quarter_number():
    with pytest.raises(ValueError):
        Quarter(2019, 0)
