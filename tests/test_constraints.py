"""Every invariant of the domain is a database constraint, not only a form rule."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from actionplan.factories import ActionFactory, PlanFactory, UpdateFactory
from actionplan.models import ProgressUpdate
from themes.factories import StrategyFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def _refused(factory, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


@pytest.mark.parametrize("percent", [-1, 101])
def test_percent_complete_between_0_and_100(action, percent):
    _refused(UpdateFactory, action=action, percent_complete=percent)


def test_percent_edges_are_allowed(action):
    UpdateFactory(action=action, percent_complete=0)
    UpdateFactory(action=action, percent_complete=100, status="completed", rag="blue")


def test_reference_unique_within_plan_but_not_across(action, plan, theme):
    _refused(ActionFactory, plan=plan, theme=theme, reference=action.reference)
    other = PlanFactory(strategy=plan.strategy, year=2021)
    ActionFactory(plan=other, theme=theme, reference=action.reference)


def test_due_date_not_before_start(plan, theme):
    _refused(
        ActionFactory,
        plan=plan,
        theme=theme,
        start_date=datetime.date(2022, 6, 1),
        due_date=datetime.date(2022, 5, 31),
    )


def test_one_plan_per_strategy_and_year(plan):
    from actionplan.models import ActionPlan

    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPlan.objects.create(strategy=plan.strategy, year=plan.year)


@pytest.mark.parametrize("rag", ["amber", "red"])
def test_commentary_required_for_amber_and_red(action, rag):
    _refused(UpdateFactory, action=action, rag=rag, commentary="")
    UpdateFactory(action=action, rag=rag, commentary="Supplier late")


def test_revised_date_needs_a_reason(action):
    _refused(UpdateFactory, action=action, revised_due_date=datetime.date(2023, 6, 30))


def test_completed_is_blue_and_blue_is_completed(action):
    _refused(UpdateFactory, action=action, status="completed", rag="green", percent_complete=100)
    _refused(UpdateFactory, action=action, status="in_progress", rag="blue")


@pytest.mark.parametrize("period", [20225, 20220, 1999])
def test_period_must_be_a_quarter(action, period):
    _refused(UpdateFactory, action=action, period=period)


def test_strategy_years_in_order():
    _refused(StrategyFactory, first_year=2024, last_year=2019)


def test_theme_number_unique_in_strategy(theme):
    _refused(ThemeFactory, strategy=theme.strategy, number=theme.number)


def test_updates_are_append_only(action):
    update = UpdateFactory(action=action)
    update.commentary = "rewritten"
    with pytest.raises(PermissionError):
        update.save()
    with pytest.raises(PermissionError):
        update.delete()
    with pytest.raises(PermissionError):
        ProgressUpdate.objects.filter(pk=update.pk).update(commentary="rewritten")
    with pytest.raises(PermissionError):
        ProgressUpdate.objects.filter(pk=update.pk).delete()
    assert ProgressUpdate.objects.get(pk=update.pk).commentary == ""
