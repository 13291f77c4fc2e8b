import datetime
from decimal import Decimal

import factory

from accounts.factories import UserFactory
from core import clock
from indicators.models import Indicator, IndicatorTarget, IndicatorValue
from themes.factories import StrategyFactory, ThemeFactory


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        skip_postgeneration_save = True

    strategy = factory.SubFactory(StrategyFactory)
    theme = factory.SubFactory(ThemeFactory, strategy=factory.SelfAttribute("..strategy"))
    code = factory.Sequence(lambda n: f"PI {n + 1}")
    name = factory.Sequence(lambda n: f"Service desk measure {n + 1}")
    definition = "Calls resolved at first contact as a share of all calls logged."
    unit = Indicator.Unit.PERCENTAGE
    polarity = Indicator.Polarity.HIGHER
    frequency = Indicator.Frequency.QUARTERLY
    owner = factory.SubFactory(UserFactory, role="Officer")


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorTarget

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2022
    quarter = None
    target = Decimal("90")
    tolerance = Decimal("5")
    tolerance_kind = IndicatorTarget.Tolerance.ABSOLUTE


class ValueFactory(factory.django.DjangoModelFactory):
    """A value stored directly, bypassing indicators.services' rules (as UpdateFactory does)."""

    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    period_end = datetime.date(2022, 12, 31)
    actual = Decimal("90")
    author = factory.LazyAttribute(lambda v: v.indicator.owner)
    created_at = factory.LazyFunction(clock.now)
