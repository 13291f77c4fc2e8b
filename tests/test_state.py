"""The end-of-quarter rule and per-partner state (actionplan.selectors)."""

import datetime

import pytest

from actionplan import rules, selectors
from actionplan.factories import UpdateFactory
from actionplan.models import Action
from core.quarters import Quarter
from tests.conftest import at

pytestmark = pytest.mark.django_db


def test_no_update_means_not_started(action):
    state = selectors.action_state(action, quarter=Quarter(2022, 3))
    assert state.update is None
    assert state.status == "not_started"
    assert state.rag is None
    assert state.percent_complete == 0


def test_state_at_quarter_end_is_latest_update_up_to_that_quarter(action):
    q1 = UpdateFactory(action=action, period=20221, percent_complete=10, created_at=at(2022, 7, 5))
    q2 = UpdateFactory(action=action, period=20222, percent_complete=40, created_at=at(2022, 10, 3))
    UpdateFactory(action=action, period=20223, percent_complete=70, created_at=at(2023, 1, 9))
    assert selectors.action_state(action, quarter=Quarter(2022, 1)).update == q1
    assert selectors.action_state(action, quarter=Quarter(2022, 2)).update == q2
    assert selectors.action_state(action, quarter=Quarter(2022, 4)).percent_complete == 70


def test_correction_within_a_quarter_wins(action):
    UpdateFactory(action=action, period=20222, percent_complete=40, created_at=at(2022, 9, 20))
    correction = UpdateFactory(action=action, period=20222, percent_complete=35, created_at=at(2022, 10, 2))
    assert selectors.action_state(action, quarter=Quarter(2022, 2)).update == correction


def test_late_update_for_an_earlier_quarter_does_not_override_a_later_one(action):
    q3 = UpdateFactory(action=action, period=20223, percent_complete=70, created_at=at(2023, 1, 5))
    UpdateFactory(action=action, period=20222, percent_complete=45, created_at=at(2023, 1, 10))
    assert selectors.action_state(action, quarter=Quarter(2022, 3)).update == q3


def test_partner_state_falls_back_to_overall(action, maidstone, swale):
    overall = UpdateFactory(action=action, period=20222, rag="green", created_at=at(2022, 10, 1))
    swale_update = UpdateFactory(
        action=action,
        partner=swale,
        period=20222,
        rag="amber",
        commentary="Building works",
        created_at=at(2022, 10, 2),
    )
    q2 = Quarter(2022, 2)
    assert selectors.action_state(action, quarter=q2, partner=maidstone).update == overall
    assert selectors.action_state(action, quarter=q2, partner=swale).update == swale_update
    # The overall state ignores partner updates.
    assert selectors.action_state(action, quarter=q2).update == overall
    states = dict(selectors.partner_states(action, quarter=q2))
    assert states[swale].rag == "amber" and states[maidstone].rag == "green"


def test_partner_update_from_an_earlier_quarter_still_counts(action, swale):
    older = UpdateFactory(
        action=action, partner=swale, period=20221, rag="red", commentary="Stalled", created_at=at(2022, 7, 1)
    )
    UpdateFactory(action=action, period=20222, rag="green", created_at=at(2022, 10, 1))
    assert selectors.action_state(action, quarter=Quarter(2022, 2), partner=swale).update == older


def test_overdue_uses_revised_date_and_ignores_closed(action):
    UpdateFactory(
        action=action,
        period=20222,
        rag="amber",
        commentary="Late",
        revised_due_date=datetime.date(2023, 6, 30),
        revision_reason="Supplier",
        created_at=at(2022, 10, 1),
    )
    state = selectors.action_state(action, quarter=Quarter(2022, 2))
    assert state.due_date == datetime.date(2023, 6, 30)
    assert state.slipped_days == 91
    assert not state.is_overdue
    assert rules.is_overdue(datetime.date(2022, 1, 1), "in_progress", datetime.date(2022, 1, 2))
    assert not rules.is_overdue(datetime.date(2022, 1, 1), "completed", datetime.date(2022, 1, 2))
    assert not rules.is_overdue(datetime.date(2022, 1, 1), "cancelled", datetime.date(2022, 1, 2))


def test_action_states_query_count_is_constant(action, plan, theme, django_assert_num_queries):
    from actionplan.factories import ActionFactory

    for _ in range(5):
        UpdateFactory(action=ActionFactory(plan=plan, theme=theme), period=20222)
    with django_assert_num_queries(1):  # each state row, with its update, in one join
        states = selectors.action_states(Action.objects.all(), quarter=Quarter(2022, 3))
    assert len(states) == 6
