import datetime

import factory

from accounts.factories import UserFactory
from actionplan.models import Action, ActionPlan, ProgressUpdate
from core.quarters import Quarter
from themes.factories import StrategyFactory, ThemeFactory


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionPlan
        django_get_or_create = ["strategy", "year"]

    strategy = factory.SubFactory(StrategyFactory)
    year = 2022
    status = ActionPlan.Status.APPROVED


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    plan = factory.SubFactory(PlanFactory)
    theme = factory.SubFactory(ThemeFactory, strategy=factory.SelfAttribute("..plan.strategy"))
    reference = factory.Sequence(lambda n: f"A.{n}")
    title = factory.Sequence(lambda n: f"Deliver improvement {n}")
    lead_officer = factory.SubFactory(UserFactory, role="Officer")
    start_date = factory.LazyAttribute(lambda a: datetime.date(a.plan.year, 4, 1))
    due_date = factory.LazyAttribute(lambda a: datetime.date(a.plan.year + 1, 3, 31))

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        if create and extracted:
            self.partners.set(extracted)


class UpdateFactory(factory.django.DjangoModelFactory):
    """Builds updates directly (bypassing the service's rules): for arranging history in tests.

    Saving one refreshes the action's derived state (latest update, quarter states) through
    actionplan.signals, as the service's saves do: never set Action.latest_update by hand.
    """

    class Meta:
        model = ProgressUpdate
        skip_postgeneration_save = True

    action = factory.SubFactory(ActionFactory)
    # Q3 of the action's own plan year: updates are only ever for a quarter of it.
    period = factory.LazyAttribute(lambda u: Quarter(u.action.plan.year, 3).code)
    status = ProgressUpdate.Status.IN_PROGRESS
    rag = ProgressUpdate.Rag.GREEN
    percent_complete = 50
    author = factory.LazyAttribute(lambda u: u.action.lead_officer)

    @factory.post_generation
    def refresh_action(self, create, extracted, **kwargs):
        # actionplan.signals refreshed the derived state in the database; the test's own
        # action object sees the new current state too, as after services.update_create.
        if create:
            self.action.refresh_from_db(fields=["latest_update"])
