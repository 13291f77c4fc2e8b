"""The indicator rules (indicators.rules): RAG against target and tolerance by polarity,
direction of travel, the target that applies, and the end-of-quarter rule."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from core.quarters import Quarter
from indicators import rules
from indicators.factories import IndicatorFactory, TargetFactory, ValueFactory
from indicators.models import Indicator, IndicatorTarget
from indicators.periods import Period

D = Decimal
GREEN, AMBER, RED = rules.GREEN, rules.AMBER, rules.RED


# --- RAG at and around the tolerance edges ------------------------------------------


@pytest.mark.parametrize(
    "actual, expected",
    [
        ("95.1", GREEN),
        ("90.00", GREEN),  # on target
        ("89.99", AMBER),  # just short
        ("85.00", AMBER),  # exactly at the tolerance's edge: still amber
        ("84.99", RED),  # just beyond
        ("0", RED),
    ],
)
def test_higher_is_better_percentage(actual, expected):
    assert rules.rag(actual=D(actual), target=D("90"), tolerance=D("5"), polarity="higher") == expected


@pytest.mark.parametrize(
    "actual, expected",
    [
        (0, GREEN),
        (3, GREEN),  # on target
        (4, AMBER),
        (5, AMBER),  # at the edge
        (6, RED),
    ],
)
def test_lower_is_better_count(actual, expected):
    # At most 3 priority-one incidents a quarter, amber up to 5.
    assert rules.rag(actual=D(actual), target=D(3), tolerance=D(2), polarity="lower") == expected


@pytest.mark.parametrize(
    "actual, expected",
    [
        ("2.00", GREEN),  # exactly on target
        ("2.01", AMBER),
        ("1.99", AMBER),  # either side
        ("2.50", AMBER),  # the edge, above
        ("1.50", AMBER),  # and below
        ("2.51", RED),
        ("1.49", RED),
    ],
)
def test_on_target_is_best(actual, expected):
    assert rules.rag(actual=D(actual), target=D("2"), tolerance=D("0.5"), polarity="on_target") == expected


def test_no_tolerance_means_anything_short_is_red():
    assert rules.rag(actual=D("89.99"), target=D(90), tolerance=D(0), polarity="higher") == RED
    assert rules.rag(actual=D("90"), target=D(90), tolerance=D(0), polarity="higher") == GREEN


@pytest.mark.parametrize(
    "target, share, amount",
    [("90", "5", "4.50"), ("99.5", "1", "1.00"), ("12", "25", "3.00"), ("0", "10", "0.00")],
)
def test_a_share_of_the_target_in_the_unit(target, share, amount):
    assert rules.tolerance_amount(D(target), D(share), "share") == D(amount)
    assert rules.tolerance_amount(D(target), D(share), "absolute") == D(share)


def test_share_tolerance_edges_for_lower_is_better():
    # Phishing click rate at most 4%, amber up to 25% above it (5%).
    limit = rules.tolerance_amount(D(4), D(25), "share")
    assert [rules.rag(actual=D(a), target=D(4), tolerance=limit, polarity="lower") for a in
            ("4", "4.01", "5", "5.01")] == [GREEN, AMBER, AMBER, RED]  # fmt: skip


# --- direction of travel ----------------------------------------------------------------


@pytest.mark.parametrize(
    "polarity, now, before, expected",
    [
        ("higher", "91", "90", rules.IMPROVING),
        ("higher", "89", "90", rules.WORSENING),
        ("higher", "90", "90.00", rules.NO_CHANGE),
        ("lower", "3", "4", rules.IMPROVING),
        ("lower", "5", "4", rules.WORSENING),
        ("lower", "4", "4", rules.NO_CHANGE),
        ("on_target", "2.1", "2.4", rules.IMPROVING),  # nearer the target of 2
        ("on_target", "1.5", "2.1", rules.WORSENING),
        ("on_target", "1.8", "2.2", rules.NO_CHANGE),  # as far the other side
    ],
)
def test_direction_by_polarity(polarity, now, before, expected):
    direction = rules.direction(now=D(now), before=D(before), polarity=polarity, target=D(2))
    assert direction.key == expected
    assert direction.words and (direction.arrow or expected == rules.NOT_COMPARED)


def test_direction_words_and_arrows_say_the_same():
    assert (rules.DIRECTIONS[rules.IMPROVING].words, rules.DIRECTIONS[rules.IMPROVING].arrow) == (
        "Improving",
        "↑",
    )
    assert (rules.DIRECTIONS[rules.WORSENING].words, rules.DIRECTIONS[rules.WORSENING].arrow) == (
        "Worsening",
        "↓",
    )
    assert rules.DIRECTIONS[rules.NO_CHANGE].arrow == "→"


def test_no_earlier_figure_is_not_compared():
    assert rules.direction(now=D(1), before=None, polarity="higher").key == rules.NOT_COMPARED
    assert not rules.direction(now=None, before=D(1), polarity="higher").compared


def test_an_activity_indicator_goes_up_or_down_never_improves():
    assert rules.direction(now=D(5), before=D(3), polarity="higher", activity=True).key == rules.UP
    assert rules.direction(now=D(2), before=D(3), polarity="lower", activity=True).key == rules.DOWN
    assert rules.direction(now=D(3), before=D(3), polarity="lower", activity=True).key == rules.NO_CHANGE


# --- which target, and an activity indicator's RAG -----------------------------------------


@dataclass
class _Target:
    year: int
    quarter: int | None
    target: Decimal
    tolerance: Decimal = D(0)
    tolerance_kind: str = "absolute"


def test_a_target_changed_mid_year_applies_from_its_quarter():
    targets = [_Target(2022, None, D(90), D(5)), _Target(2022, 3, D(95), D(2)), _Target(2022, 4, D(95), D(2))]
    assert rules.target_for(targets, Period.of_quarter(Quarter(2022, 2))).target == D(90)
    assert rules.target_for(targets, Period.of_quarter(Quarter(2022, 3))).target == D(95)
    # A month takes its quarter's target.
    assert rules.target_for(targets, Period.month(2022, 9)).target == D(90)
    assert rules.target_for(targets, Period.month(2022, 10)).target == D(95)
    # An annual figure takes the year's.
    assert rules.target_for(targets, Period.of_year(2022)).target == D(90)
    assert rules.target_for(targets, Period.of_quarter(Quarter(2023, 1))) is None


@pytest.mark.django_db
def test_the_same_actual_is_green_then_amber_when_the_target_rises_mid_year():
    indicator = IndicatorFactory(frequency=Indicator.Frequency.QUARTERLY)
    TargetFactory(indicator=indicator, year=2022, target=D(90), tolerance=D(5))
    TargetFactory(indicator=indicator, year=2022, quarter=3, target=D(95), tolerance=D(5))
    targets = list(indicator.targets.all())
    q2, q3 = Period.of_quarter(Quarter(2022, 2)), Period.of_quarter(Quarter(2022, 3))
    assert rules.rag_for(indicator, D(92), rules.target_for(targets, q2)) == GREEN
    assert rules.rag_for(indicator, D(92), rules.target_for(targets, q3)) == AMBER
    assert rules.rag_for(indicator, D(89), rules.target_for(targets, q3)) == RED


@pytest.mark.django_db
def test_an_activity_indicator_has_no_rag_and_takes_no_target():
    from django.core.exceptions import ValidationError

    indicator = IndicatorFactory(is_activity=True, unit=Indicator.Unit.NUMBER)
    assert rules.rag_for(indicator, D(1250), None) == rules.NO_RAG
    assert rules.rag_for(indicator, None, None) == rules.NO_VALUE
    target = IndicatorTarget(indicator=indicator, year=2022, target=D(10))
    with pytest.raises(ValidationError, match="activity indicator has no target"):
        target.full_clean()


@pytest.mark.django_db
def test_a_rated_indicator_with_no_target_for_the_year_has_no_rag():
    indicator = IndicatorFactory()
    assert rules.rag_for(indicator, D(50), None) == rules.NO_RAG


def test_a_sum_indicators_months_are_not_rated_alone():
    assert not rules.rated_monthly(Indicator(frequency="monthly", roll_up="sum"))
    assert rules.rated_monthly(Indicator(frequency="monthly", roll_up="average"))
    assert not rules.rated_monthly(Indicator(frequency="quarterly", is_activity=True))


# --- the end-of-quarter rule -------------------------------------------------------------


@dataclass
class _Value:
    pk: int
    period_end: datetime.date
    actual: Decimal
    created_at: datetime.datetime = datetime.datetime(2023, 1, 5)


def _month(pk, year, month, actual, created=None):
    end = Period.month(year, month).end
    return _Value(
        pk, end, D(actual), created or datetime.datetime(year, month, 28) + datetime.timedelta(days=7)
    )


Q2, Q3 = Quarter(2022, 2), Quarter(2022, 3)


@pytest.mark.parametrize("rule, expected", [("last", D(30)), ("sum", D(60)), ("average", D(20))])
def test_monthly_values_roll_up_to_the_quarter_by_the_stated_rule(rule, expected):
    latest = rules.latest_per_period(
        [_month(1, 2022, 10, 10), _month(2, 2022, 11, 20), _month(3, 2022, 12, 30)]
    )
    reading = rules.reading_at(latest, "monthly", rule, Q3)
    assert reading.actual == expected
    assert reading.complete and reading.label == "2022/23 Q3"


def test_average_of_months_rounds_to_the_penny():
    latest = rules.latest_per_period(
        [_month(1, 2022, 10, 10), _month(2, 2022, 11, 10), _month(3, 2022, 12, 11)]
    )
    assert rules.reading_at(latest, "monthly", "average", Q3).actual == D("10.33")


def test_a_correction_replaces_the_value_it_corrects():
    first = _month(1, 2022, 10, 50, datetime.datetime(2022, 11, 3))
    corrected = _month(2, 2022, 10, 55, datetime.datetime(2022, 11, 9))
    latest = rules.latest_per_period([corrected, first])
    assert latest[first.period_end] is corrected


def test_a_quarter_with_some_months_says_how_many():
    latest = rules.latest_per_period([_month(1, 2022, 10, 10), _month(2, 2022, 11, 20)])
    reading = rules.reading_at(latest, "monthly", "sum", Q3)
    assert reading.actual == D(30) and not reading.complete
    assert reading.label == "2022/23 Q3 (2 of 3 months)"


def test_the_end_of_quarter_rule_reads_nothing_after_the_quarter():
    latest = rules.latest_per_period([_month(1, 2022, 9, 80), _month(2, 2022, 10, 95)])
    reading = rules.reading_at(latest, "monthly", "last", Q2)
    assert reading.actual == D(80) and reading.period == Period.of_quarter(Q2)


def test_a_quarter_with_nothing_new_shows_the_last_figure_under_its_own_period():
    value = _Value(1, Q2.last_day, D(70))
    latest = rules.latest_per_period([value])
    reading = rules.reading_at(latest, "quarterly", "last", Q3)
    assert reading.actual == D(70) and reading.label == "2022/23 Q2"
    assert rules.reading_for(latest, "quarterly", "last", Period.of_quarter(Q3)) is None
    assert rules.reading_at(latest, "quarterly", "last", Quarter(2022, 1)) is None


def test_an_annual_value_counts_from_the_year_end():
    value = _Value(1, datetime.date(2022, 3, 31), D(3))
    latest = rules.latest_per_period([value])
    reading = rules.reading_at(latest, "annual", "last", Q3)
    assert reading.label == "2021/22" and reading.actual == D(3)
    assert rules.scorecard_period("annual", Q3) == Period.of_year(2022)
    previous, year_earlier = rules.earlier_periods(Period.of_year(2022))
    assert previous == year_earlier == Period.of_year(2021)


def test_earlier_periods_of_a_quarter_and_a_month():
    assert rules.earlier_periods(Period.of_quarter(Quarter(2022, 1))) == (
        Period.of_quarter(Quarter(2021, 4)),
        Period.of_quarter(Quarter(2021, 1)),
    )
    assert rules.earlier_periods(Period.month(2023, 1)) == (Period.month(2022, 12), Period.month(2022, 1))


@pytest.mark.django_db
def test_values_are_append_only():
    value = ValueFactory()
    with pytest.raises(PermissionError):
        value.save()
    with pytest.raises(PermissionError):
        value.delete()
    with pytest.raises(PermissionError):
        type(value).objects.filter(pk=value.pk).update(actual=1)


@pytest.mark.django_db
def test_the_database_refuses_a_numerator_without_a_denominator():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        ValueFactory(numerator=D(5), denominator=None)


@pytest.mark.django_db
def test_codes_are_unique_within_a_strategy():
    from django.db import IntegrityError

    first = IndicatorFactory(code="PI 1")
    IndicatorFactory(code="PI 1")  # another strategy
    with pytest.raises(IntegrityError):
        IndicatorFactory(code="PI 1", strategy=first.strategy, theme=first.theme)


@pytest.mark.parametrize(
    "text, frequency, label",
    [
        ("2022-11", "monthly", "November 2022"),
        ("Nov 2022", "monthly", "November 2022"),
        ("January 2023", "monthly", "January 2023"),
        ("2022/23 Q3", "quarterly", "2022/23 Q3"),
        ("20223", "quarterly", "2022/23 Q3"),
        ("2022/23", "annual", "2022/23"),
    ],
)
def test_periods_read_as_people_write_them(text, frequency, label):
    period = Period.parse(text, frequency)
    assert period.label == label
    assert Period.parse(period.code, frequency) == period


@pytest.mark.parametrize(
    "text, frequency", [("2022-13", "monthly"), ("Q3", "quarterly"), ("2022/24", "annual")]
)
def test_a_period_that_is_not_one_says_how_to_write_it(text, frequency):
    with pytest.raises(ValueError, match="write it like"):
        Period.parse(text, frequency)
