import factory

from themes.models import PartnerAuthority, Strategy, Theme


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerAuthority
        django_get_or_create = ["short_name"]

    short_name = factory.Sequence(lambda n: f"P{n}")
    name = factory.LazyAttribute(lambda p: f"{p.short_name} Borough Council")
    slug = factory.LazyAttribute(lambda p: p.short_name.lower())


class StrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Strategy

    title = factory.Sequence(lambda n: f"ICT Strategy {n}")
    first_year = 2019
    last_year = 2023
    status = Strategy.Status.ACTIVE


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    strategy = factory.SubFactory(StrategyFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Theme {n}")
