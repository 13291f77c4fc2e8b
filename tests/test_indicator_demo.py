"""The demo's indicators read like a real scorecard: the six themes, monthly and quarterly ones,
four years of values, reds with their causes, owners among the demo officers and the manager."""

import pytest
from django.core.management import call_command

from actionplan.models import QuarterLock
from core.quarters import Quarter
from indicators import rules, selectors, services
from indicators.models import Indicator, IndicatorValue
from tests.test_demo_data import placeholders
from themes.selectors import active_strategy

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the module, inside a transaction rolled back at its end."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_data", verbosity=0, reports=False)
        yield
        transaction.set_rollback(True)


def test_the_shape_of_the_scorecard(demo):
    indicators = Indicator.objects.all()
    assert 15 <= indicators.count() <= 20
    assert set(indicators.values_list("theme__number", flat=True)) == {1, 2, 3, 4, 5, 6}
    assert {"monthly", "quarterly", "annual"} <= set(indicators.values_list("frequency", flat=True))
    assert {"higher", "lower", "on_target"} == set(indicators.values_list("polarity", flat=True))
    assert indicators.filter(is_activity=True).exists() and indicators.filter(per_partner=True).exists()
    owners = set(indicators.values_list("owner__username", flat=True))
    assert "manager" in owners and {"officer", "officer2"} <= owners
    values = IndicatorValue.objects.all()
    assert values.earliest("period_end").period_end.year == 2019
    assert values.latest("period_end").period_end.isoformat() == "2022-12-31"


def test_every_red_says_what_caused_it(demo):
    strategy = active_strategy()
    reds = 0
    for quarter in strategy.quarters(up_to=Quarter(2022, 3)):
        for row in selectors.scorecard(strategy=strategy, quarter=quarter).reds:
            reds += 1
            assert len(row.commentary) > 60, (quarter, row.indicator.code)
    assert reds >= 8
    # And each red month or quarter on its own.
    for value in IndicatorValue.objects.select_related("indicator"):
        if services.value_rag(value.indicator, value.period, value.actual) == rules.RED:
            assert value.commentary, (value.indicator.code, value.period.label)


def test_the_reporting_quarter_is_partly_in(demo):
    strategy = active_strategy()
    card = selectors.scorecard(strategy=strategy, quarter=Quarter(2022, 3))
    behind = [
        row.indicator.code for row in card.rows if not row.current and row.indicator.frequency != "annual"
    ]
    assert 1 <= len(behind) <= 3
    assert card.counts[rules.RED] >= 1


def test_values_came_in_before_their_quarter_was_locked(demo):
    locks = dict(QuarterLock.objects.values_list("period", "locked_at"))
    for value in IndicatorValue.objects.select_related("indicator"):
        locked_at = locks.get(value.period.quarter.code)
        assert locked_at is None or value.created_at < locked_at, value


def test_no_placeholders(demo):
    texts = [t for i in Indicator.objects.all() for t in (i.name, i.definition, i.data_source)]
    texts += list(IndicatorValue.objects.exclude(commentary="").values_list("commentary", flat=True))
    assert all(t.strip() for t in texts[:51])
    assert placeholders(texts) == []


def test_loading_twice_adds_nothing(demo):
    counts = Indicator.objects.count(), IndicatorValue.objects.count()
    call_command("load_demo_data", verbosity=0, reports=False)
    assert (Indicator.objects.count(), IndicatorValue.objects.count()) == counts
