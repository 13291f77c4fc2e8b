import datetime

import factory

from accounts import roles
from accounts.factories import UserFactory
from risks.models import FurtherAction, Risk, RiskReview
from themes.factories import StrategyFactory, ThemeFactory


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk
        skip_postgeneration_save = True

    strategy = factory.SubFactory(StrategyFactory)
    theme = factory.SubFactory(ThemeFactory, strategy=factory.SelfAttribute("..strategy"))
    reference = factory.Sequence(lambda n: f"R{n + 1}")
    title = factory.Sequence(lambda n: f"Loss of service {n}")
    cause = "Ageing equipment in a single site."
    event = "The service is unavailable for several days."
    consequence = "Residents cannot reach council services online."
    owner = factory.SubFactory(UserFactory, role=roles.OFFICER)
    existing_controls = "Daily backups held off site."
    appetite = 8
    inherent_likelihood = 4
    inherent_impact = 5
    target_likelihood = 2
    target_impact = 4
    identified_on = datetime.date(2019, 4, 1)

    @factory.post_generation
    def mitigating_actions(self, create, extracted, **kwargs):
        if create and extracted:
            self.mitigating_actions.set(extracted)


class ReviewFactory(factory.django.DjangoModelFactory):
    """Builds reviews directly (bypassing the service's rules): for arranging history in tests."""

    class Meta:
        model = RiskReview

    risk = factory.SubFactory(RiskFactory)
    period = 20223
    likelihood = 3
    impact = 4
    control_effectiveness = RiskReview.Effectiveness.PARTIAL
    controls = "Daily backups held off site."
    commentary = "Reviewed at the quarterly risk meeting."
    author = factory.LazyAttribute(lambda r: r.risk.owner)


class FurtherActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FurtherAction

    risk = factory.SubFactory(RiskFactory)
    description = "Test the restore of the finance system from backup."
    owner = factory.LazyAttribute(lambda f: f.risk.owner)
    due_date = datetime.date(2023, 3, 31)
