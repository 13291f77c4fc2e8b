"""Recording an indicator value (indicators.services.value_create): who may, every rule at
once, commentary on red, locked quarters, and no silent overwrite."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from actionplan import services as action_services
from core.quarters import Quarter
from indicators import services
from indicators.factories import IndicatorFactory, TargetFactory, ValueFactory
from indicators.models import Indicator, IndicatorValue
from indicators.periods import Period

D = Decimal
Q3 = Quarter(2022, 3)


@pytest.fixture
def indicator(strategy, theme, officer):
    indicator = IndicatorFactory(
        strategy=strategy, theme=theme, owner=officer, code="PI 4.1", name="First-contact resolution"
    )
    TargetFactory(indicator=indicator, year=2022, target=D(70), tolerance=D(5))
    return indicator


def draft(**answers):
    return services.ValueDraft(**{"period": Period.of_quarter(Q3), "actual": D("72.5"), **answers})


def test_the_owner_records_a_value(indicator, officer):
    value = services.value_create(indicator=indicator, author=officer, draft=draft())
    assert (value.period_end, value.actual, value.author) == (datetime.date(2022, 12, 31), D("72.5"), officer)
    assert value.history.count() == 1  # in the audit trail


def test_an_administrator_records_but_another_officer_does_not(
    indicator, administrator, colleague, councillor
):
    services.value_create(indicator=indicator, author=administrator, draft=draft())
    for someone in (colleague, councillor):
        with pytest.raises(PermissionDenied):
            services.value_create(indicator=indicator, author=someone, draft=draft(), check_version=False)
    assert IndicatorValue.objects.count() == 1


def test_every_problem_is_named_at_once_and_nothing_is_stored(indicator, officer, maidstone):
    with pytest.raises(ValidationError) as caught:
        services.value_create(
            indicator=indicator,
            author=officer,
            draft=services.ValueDraft(partner=maidstone, commentary="x" * 10_001),
        )
    errors = caught.value.message_dict
    assert set(errors) == {"period", "partner", "actual", "commentary"}
    assert "10,000 characters or fewer" in errors["commentary"][0]
    assert not IndicatorValue.objects.exists()


def test_commentary_is_required_on_red_only(indicator, officer):
    with pytest.raises(ValidationError) as caught:
        services.value_create(indicator=indicator, author=officer, draft=draft(actual=D("64.99")))
    assert "what caused the red" in caught.value.message_dict["commentary"][0]
    # Amber, at the tolerance's edge, needs none.
    services.value_create(indicator=indicator, author=officer, draft=draft(actual=D(65)))
    services.value_create(
        indicator=indicator,
        author=officer,
        draft=draft(actual=D(60), commentary="Two analysts off sick; agency cover from January."),
        check_version=False,
    )


def test_commentary_loses_control_characters(indicator, officer):
    value = services.value_create(
        indicator=indicator, author=officer, draft=draft(commentary=" On\x0btrack\x00 ")
    )
    assert value.commentary == "On\ntrack"


@pytest.mark.parametrize(
    "period, message",
    [
        (Period.of_quarter(Quarter(2022, 4)), "has not ended yet"),
        (Period.of_quarter(Quarter(2018, 4)), "outside the strategy's years"),
        (Period.month(2022, 11), "This indicator is quarterly"),
    ],
)
def test_periods_that_cannot_take_a_value(indicator, officer, period, message):
    with pytest.raises(ValidationError, match=message):
        services.value_create(indicator=indicator, author=officer, draft=draft(period=period))


def test_a_locked_quarter_takes_no_value(indicator, officer, administrator):
    action_services.quarter_lock(quarter=Quarter(2022, 2), user=administrator)
    with pytest.raises(ValidationError) as caught:
        services.value_create(
            indicator=indicator, author=officer, draft=draft(period=Period.of_quarter(Quarter(2022, 1)))
        )
    assert "locked because it has been reported" in caught.value.message_dict["period"][0]
    services.value_create(indicator=indicator, author=officer, draft=draft())  # Q3 is open


def test_a_newer_value_is_never_silently_overwritten(indicator, officer, administrator):
    first = services.value_create(indicator=indicator, author=officer, draft=draft())
    # The administrator corrects it; the officer, still on the old page, saves again.
    corrected = services.value_create(
        indicator=indicator, author=administrator, draft=draft(actual=D(73)), seen_value_id=first.pk
    )
    with pytest.raises(services.ValueConflict) as caught:
        services.value_create(
            indicator=indicator, author=officer, draft=draft(actual=D(71)), seen_value_id=first.pk
        )
    assert caught.value.newer == corrected
    assert IndicatorValue.objects.count() == 2


def test_a_double_submit_stores_one_value(indicator, officer):
    first = services.value_create(indicator=indicator, author=officer, draft=draft())
    again = services.value_create(indicator=indicator, author=officer, draft=draft(), seen_value_id=None)
    assert again == first and IndicatorValue.objects.count() == 1


def test_the_value_can_come_from_numerator_and_denominator(indicator, officer):
    value = services.value_create(
        indicator=indicator, author=officer, draft=draft(actual=None, numerator=D(1450), denominator=D(2000))
    )
    assert value.actual == D("72.50")
    with pytest.raises(ValidationError) as caught:
        services.value_create(
            indicator=indicator,
            author=officer,
            draft=draft(actual=D(80), numerator=D(1450), denominator=D(2000)),
            check_version=False,
        )
    assert "which make 72.50" in caught.value.message_dict["actual"][0]
    with pytest.raises(ValidationError) as caught:
        services.value_create(
            indicator=indicator,
            author=officer,
            draft=draft(numerator=D(5), denominator=D(0)),
            check_version=False,
        )
    assert caught.value.message_dict["denominator"] == ["The denominator must be more than 0."]


def test_per_partner_values(strategy, theme, officer, maidstone):
    indicator = IndicatorFactory(strategy=strategy, theme=theme, owner=officer, per_partner=True)
    value = services.value_create(indicator=indicator, author=officer, draft=draft(partner=maidstone))
    assert value.partner == maidstone


def test_an_activity_indicator_never_needs_commentary(strategy, theme, officer):
    indicator = IndicatorFactory(
        strategy=strategy, theme=theme, owner=officer, is_activity=True, unit=Indicator.Unit.NUMBER
    )
    services.value_create(indicator=indicator, author=officer, draft=draft(actual=D(0)))


def test_a_sum_indicators_month_needs_no_commentary_alone(strategy, theme, officer):
    indicator = IndicatorFactory(
        strategy=strategy, theme=theme, owner=officer, frequency="monthly", roll_up="sum", polarity="lower"
    )
    TargetFactory(indicator=indicator, year=2022, target=D(3), tolerance=D(1))
    ValueFactory(indicator=indicator, period_end=datetime.date(2022, 10, 31), actual=D(2))
    services.value_create(
        indicator=indicator,
        author=officer,
        draft=draft(period=Period.month(2022, 11), actual=D(4)),
        check_version=False,
    )
