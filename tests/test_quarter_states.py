"""ActionQuarterState: the per-quarter state table gives the end-of-quarter rule's answer."""

import pytest
from django.core.management import call_command
from django.db.models.functions import Coalesce

from actionplan import selectors, services
from actionplan.models import Action, ActionQuarterState
from core.quarters import Quarter, quarters_between
from themes.models import PartnerAuthority

pytestmark = pytest.mark.django_db


def stored_state(action, quarter, partner=None):
    return selectors.action_state(action, quarter=quarter, partner=partner).update


def report(action, officer, quarter, rag="green", partner=None, percent=50):
    commentary = "Behind plan." if rag in ("amber", "red") else ""
    return services.update_create(
        action=action,
        author=officer,
        quarter=quarter,
        status="in_progress",
        rag=rag,
        percent_complete=percent,
        commentary=commentary,
        partner=partner,
        check_version=False,
    )


def test_table_matches_the_rule_on_the_demo_data():
    """Every action, partner and quarter: the table's state is the searched rule's."""
    call_command("load_demo_data", verbosity=0)
    strategy = Action.objects.select_related("plan__strategy").first().plan.strategy
    quarters = quarters_between(Quarter(strategy.first_year, 1), selectors.state_horizon(strategy))
    checked = 0
    for partner in [None, *PartnerAuthority.objects.all()]:
        for quarter in quarters:
            searched = selectors.latest_update_subquery(quarter=quarter)
            if partner is not None:
                own = selectors.latest_update_subquery(quarter=quarter, partner=partner)
                searched = Coalesce(own, searched)
            rows = selectors.with_state_update_id(Action.objects.all(), quarter=quarter, partner=partner)
            pairs = list(rows.annotate(searched=searched).values_list("state_update_id", "searched"))
            assert pairs
            assert [stored for stored, _ in pairs] == [rule for _, rule in pairs], (quarter, partner)
            checked += sum(1 for stored, _ in pairs if stored)
    assert checked > 1000


def test_rebuild_gives_the_same_rows_and_is_idempotent():
    call_command("load_demo_data", verbosity=0)
    before = set(ActionQuarterState.objects.values_list("action_id", "partner_id", "period", "update_id"))
    call_command("rebuild_quarter_states", verbosity=0)
    call_command("rebuild_quarter_states", verbosity=0)
    after = set(ActionQuarterState.objects.values_list("action_id", "partner_id", "period", "update_id"))
    assert before == after


def test_update_fills_every_quarter_up_to_the_strategys_last(action, officer):
    update = report(action, officer, Quarter(2022, 2))
    periods = sorted(ActionQuarterState.objects.filter(action=action).values_list("period", flat=True))
    horizon = selectors.state_horizon(action.plan.strategy)
    assert periods == [q.code for q in quarters_between(Quarter(2022, 2), horizon)]
    assert set(ActionQuarterState.objects.values_list("update_id", flat=True)) == {update.pk}
    assert stored_state(action, Quarter(2022, 1)) is None


def test_late_update_for_an_earlier_quarter_only_wins_until_the_next_update(action, officer):
    q3 = report(action, officer, Quarter(2022, 3), rag="amber")
    late_q1 = report(action, officer, Quarter(2022, 1))
    assert stored_state(action, Quarter(2022, 1)) == late_q1
    assert stored_state(action, Quarter(2022, 2)) == late_q1
    assert stored_state(action, Quarter(2022, 3)) == q3
    assert stored_state(action, Quarter(2023, 2)) == q3


def test_correction_within_a_quarter_replaces_it_from_then_on(action, officer):
    report(action, officer, Quarter(2022, 2), rag="red")
    correction = report(action, officer, Quarter(2022, 2), rag="green")
    assert stored_state(action, Quarter(2022, 2)) == correction
    assert stored_state(action, Quarter(2022, 4)) == correction
    assert ActionQuarterState.objects.filter(action=action, period=20222).count() == 1


def test_partner_update_is_that_partners_state_only(action, officer, maidstone, swale):
    overall = report(action, officer, Quarter(2022, 1))
    partner = report(action, officer, Quarter(2022, 2), rag="amber", partner=maidstone)
    assert stored_state(action, Quarter(2022, 2), maidstone) == partner
    assert stored_state(action, Quarter(2022, 1), maidstone) == overall
    assert stored_state(action, Quarter(2022, 2), swale) == overall
    assert stored_state(action, Quarter(2022, 2)) == overall
    newer_overall = report(action, officer, Quarter(2022, 3))
    # The partner's own update stays its state: the overall one is only the fallback.
    assert stored_state(action, Quarter(2022, 3), maidstone) == partner
    assert stored_state(action, Quarter(2022, 3), swale) == newer_overall
