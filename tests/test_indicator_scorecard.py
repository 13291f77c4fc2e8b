"""The scorecard (indicators.selectors.scorecard): its figures equal a direct reading of the
values, for the whole service and per partner, as at a past quarter, and in a fixed number
of queries from 10 to 500 indicators with years of values."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import roles
from accounts.factories import UserFactory
from actionplan import services as action_services
from core import clock
from core.quarters import Quarter, quarters_between
from indicators import rules, selectors, services
from indicators.factories import IndicatorFactory, TargetFactory, ValueFactory
from indicators.models import Indicator, IndicatorTarget, IndicatorValue
from indicators.periods import Period

D = Decimal
Q2, Q3 = Quarter(2022, 2), Quarter(2022, 3)


def _direct_rag(indicator, quarter, partner=None):
    """The oracle: the latest value for a period up to the quarter's end, read straight from
    the table, against its target."""
    values = IndicatorValue.objects.filter(
        indicator=indicator, partner=partner, period_end__lte=quarter.last_day
    ).order_by("-period_end", "-created_at", "-id")
    newest = values.first()
    if newest is None:
        return rules.NO_VALUE
    assert indicator.frequency == "quarterly"
    period = Period.ending(newest.period_end, "quarterly")
    target = rules.target_for(IndicatorTarget.objects.filter(indicator=indicator), period)
    return rules.rag_for(indicator, newest.actual, target)


@pytest.fixture
def spread(strategy, theme, officer, maidstone):
    """Quarterly indicators with values from 2021/22 Q1 to 2022/23 Q3, some corrected, some per partner."""
    rng = random.Random(15)
    made = []
    for n in range(12):
        indicator = IndicatorFactory(
            strategy=strategy,
            theme=theme,
            owner=officer,
            polarity=rng.choice(["higher", "lower", "on_target"]),
            is_activity=n == 11,
            per_partner=n % 3 == 0,
        )
        if not indicator.is_activity:
            TargetFactory(indicator=indicator, year=2021, target=D(80), tolerance=D(5))
            TargetFactory(indicator=indicator, year=2022, target=D(82), tolerance=D(4))
        for quarter in quarters_between(Quarter(2021, 1), Q3):
            for partner in [None, maidstone] if indicator.per_partner else [None]:
                actual = D(rng.randint(70, 92))
                ValueFactory(indicator=indicator, period_end=quarter.last_day, partner=partner, actual=actual)
                if rng.random() < 0.2:  # a correction, recorded later
                    ValueFactory(
                        indicator=indicator,
                        period_end=quarter.last_day,
                        partner=partner,
                        actual=actual + 3,
                        created_at=clock.now() + datetime.timedelta(minutes=5),
                    )
        made.append(indicator)
    return made


@pytest.mark.parametrize("quarter", [Q3, Q2, Quarter(2021, 4)])
def test_figures_equal_a_direct_count(strategy, spread, quarter):
    card = selectors.scorecard(strategy=strategy, quarter=quarter)
    direct = {key: 0 for key in rules.SCORECARD_ORDER}
    for indicator in spread:
        direct[_direct_rag(indicator, quarter)] += 1
    assert card.counts == direct
    assert {row.indicator.pk: row.rag for row in card.rows} == {i.pk: _direct_rag(i, quarter) for i in spread}
    assert card.total == len(spread) == sum(t["total"] for t in card.by_theme)


def test_per_partner_figures_use_that_councils_values(strategy, spread, maidstone):
    card = selectors.scorecard(strategy=strategy, quarter=Q3, partner=maidstone)
    for row in card.rows:
        indicator = row.indicator
        expected = _direct_rag(indicator, Q3, partner=maidstone if indicator.per_partner else None)
        assert row.rag == expected, indicator.code
        if indicator.per_partner and row.reading:
            assert row.reading.latest.partner_id == maidstone.pk


def test_the_rag_filter_lists_what_its_count_says(strategy, spread):
    card = selectors.scorecard(strategy=strategy, quarter=Q3)
    for rag, count in card.counts.items():
        shown = selectors.scorecard(strategy=strategy, quarter=Q3, rag=rag)
        assert len(shown.rows) == count
        assert shown.counts == card.counts


def test_a_past_quarter_does_not_change_when_later_values_come_in(strategy, spread, officer, administrator):
    action_services.quarter_lock(quarter=Q2, user=administrator)
    before = [
        (r.indicator.pk, r.rag, r.reading.actual, r.vs_previous)
        for r in selectors.scorecard(strategy=strategy, quarter=Q2).rows
    ]
    for indicator in spread:
        services.value_create(
            indicator=indicator,
            author=officer,
            draft=services.ValueDraft(period=Period.of_quarter(Q3), actual=D(20), commentary="Outage."),
            check_version=False,
        )
    after = [
        (r.indicator.pk, r.rag, r.reading.actual, r.vs_previous)
        for r in selectors.scorecard(strategy=strategy, quarter=Q2).rows
    ]
    assert after == before


def test_direction_is_against_the_previous_quarter_and_a_year_earlier(strategy, theme, officer):
    indicator = IndicatorFactory(strategy=strategy, theme=theme, owner=officer, polarity="lower")
    for quarter, actual in ((Quarter(2021, 3), 5), (Q2, 3), (Q3, 4)):
        ValueFactory(indicator=indicator, period_end=quarter.last_day, actual=D(actual))
    (row,) = selectors.scorecard(strategy=strategy, quarter=Q3).rows
    assert row.vs_previous.key == rules.WORSENING  # 3 -> 4, lower is better
    assert row.vs_year_earlier.key == rules.IMPROVING  # 5 -> 4
    assert row.rag == rules.NO_RAG  # no target set


def test_a_monthly_indicator_is_rolled_up_and_compared_quarter_with_quarter(strategy, theme, officer):
    indicator = IndicatorFactory(
        strategy=strategy, theme=theme, owner=officer, frequency="monthly", roll_up="sum"
    )
    TargetFactory(indicator=indicator, year=2022, target=D(30), tolerance=D(3))
    for month, actual in ((7, 8), (8, 9), (9, 10), (10, 10), (11, 9), (12, 9)):
        ValueFactory(indicator=indicator, period_end=Period.month(2022, month).end, actual=D(actual))
    (row,) = selectors.scorecard(strategy=strategy, quarter=Q3).rows
    assert row.reading.actual == D(28) and row.rag == rules.AMBER
    assert row.previous.actual == D(27) and row.vs_previous.key == rules.IMPROVING
    assert not row.vs_year_earlier.compared


def _bulk(strategy, theme, owner, count, first=0):
    """`count` monthly and quarterly indicators with four years of values, stored in bulk."""
    indicators = Indicator.objects.bulk_create(
        Indicator(
            strategy=strategy,
            theme=theme,
            owner=owner,
            code=f"B{n}",
            name=f"Bulk {n}",
            definition="-",
            unit="percentage",
            frequency="monthly" if n % 2 else "quarterly",
            roll_up="average" if n % 2 else "last",
        )
        for n in range(first, first + count)
    )
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(indicator=i, year=year, target=D(80), tolerance=D(5))
        for i in indicators
        for year in range(2019, 2023)
    )
    values = []
    for i in indicators:
        if i.frequency == "monthly":
            ends = [
                Period.month(y + (m < 4), m).end for y in range(2019, 2023) for m in (*range(4, 13), 1, 2, 3)
            ]
        else:
            ends = [q.last_day for q in quarters_between(Quarter(2019, 1), Quarter(2022, 4))]
        values += [
            IndicatorValue(indicator=i, period_end=e, actual=D(78), author=owner)
            for e in ends
            if e <= Q3.last_day
        ]
    IndicatorValue.objects.bulk_create(values, batch_size=2000)


def _queries(strategy, **filters) -> int:
    with CaptureQueriesContext(connection) as captured:
        card = selectors.scorecard(strategy=strategy, quarter=Q3, **filters)
        assert card.rows
    return len(captured)


def test_the_scorecard_takes_the_same_queries_from_10_to_500_indicators(strategy, theme, maidstone):
    owner = UserFactory(username="bulk-owner", role=roles.OFFICER)
    _bulk(strategy, theme, owner, 10)
    small = _queries(strategy), _queries(strategy, partner=maidstone), _queries(strategy, owner=owner)
    _bulk(strategy, theme, owner, 490, first=10)
    assert Indicator.objects.count() == 500
    large = _queries(strategy), _queries(strategy, partner=maidstone), _queries(strategy, owner=owner)
    assert small == large
    assert max(large) <= 5


def test_a_figure_from_years_ago_is_still_read_and_judged_on_its_own_target(strategy, theme, officer):
    indicator = IndicatorFactory(strategy=strategy, theme=theme, owner=officer, frequency="annual")
    TargetFactory(indicator=indicator, year=2019, target=D(80), tolerance=D(5))
    ValueFactory(
        indicator=indicator, period_end=datetime.date(2020, 3, 31), actual=D(70), commentary="Short."
    )
    (row,) = selectors.scorecard(strategy=strategy, quarter=Q3).rows
    assert (row.reading.label, row.rag, row.commentary) == ("2019/20", rules.RED, "Short.")
    assert not row.current
