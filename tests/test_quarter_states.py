"""ActionQuarterState: the per-quarter state table gives the end-of-quarter rule's answer."""

import datetime

import pytest
from django.core.management import call_command

from actionplan import selectors, services
from actionplan.models import Action, ActionQuarterState
from core.quarters import Quarter
from tests import oracle
from tests.conftest import add_update
from themes.models import PartnerAuthority

pytestmark = pytest.mark.django_db


def stored_state(action, quarter, partner=None):
    return selectors.action_state(action, quarter=quarter, partner=partner).update


def report(action, officer, quarter, rag="green", partner=None, percent=50):
    commentary = "Behind plan." if rag in ("amber", "red") else ""
    return add_update(
        action,
        officer,
        quarter=quarter,
        partner=partner,
        rag=rag,
        percent_complete=percent,
        commentary=commentary,
        check_version=False,
    )


def test_table_matches_the_rule_on_the_demo_data():
    """Every action, partner served and quarter of its plan year: the row is the oracle's
    (the end-of-quarter rule by search, without the table)."""
    call_command("load_demo_data", verbosity=0, reports=False)
    checked = 0
    for partner in [None, *PartnerAuthority.objects.all()]:
        for code in sorted(set(ActionQuarterState.objects.values_list("period", flat=True))):
            quarter = Quarter.from_code(code)
            own = oracle.state_subquery(quarter=quarter, partner=partner, outer="action_id")
            rows = ActionQuarterState.objects.filter(period=code, partner=partner)
            pairs = list(rows.annotate(searched=own).values_list("update_id", "searched"))
            assert pairs
            assert [stored for stored, _ in pairs] == [rule for _, rule in pairs], (quarter, partner)
            checked += sum(1 for stored, _ in pairs if stored)
    assert checked > 1000
    # The current state (Action.latest_update, derived.refresh's other output) is the oracle's "now".
    pointers = list(
        Action.objects.annotate(searched=oracle.latest_update_subquery()).values_list(
            "latest_update_id", "searched"
        )
    )
    assert [stored for stored, _ in pointers] == [rule for _, rule in pointers]
    assert sum(1 for stored, _ in pointers if stored) > 100


def test_every_action_has_a_row_for_each_quarter_of_its_plan_year_and_partner():
    call_command("load_demo_data", verbosity=0, reports=False)
    served = sum(1 + a.partners.count() for a in Action.objects.prefetch_related("partners"))
    assert ActionQuarterState.objects.count() == 4 * served
    for row in ActionQuarterState.objects.select_related("action__plan")[:500]:
        assert row.period // 10 == row.action.plan.year
        assert (row.plan_id, row.theme_id) == (row.action.plan_id, row.action.theme_id)


def test_rebuild_gives_the_same_rows_and_is_idempotent():
    call_command("load_demo_data", verbosity=0, reports=False)
    columns = (
        "action_id",
        "partner_id",
        "period",
        "update_id",
        "status",
        "rag",
        "due_date",
        "previous_status",
    )
    before = set(ActionQuarterState.objects.values_list(*columns))
    call_command("rebuild_quarter_states", verbosity=0)
    call_command("rebuild_quarter_states", verbosity=0)
    after = set(ActionQuarterState.objects.values_list(*columns))
    assert before == after


def test_a_new_action_is_not_started_and_not_reported_in_every_quarter(action):
    rows = ActionQuarterState.objects.filter(action=action).order_by("period", "partner_id")
    assert [r.period for r in rows if r.partner_id is None] == [20221, 20222, 20223, 20224]
    assert rows.count() == 4 * 3  # overall, Maidstone and Swale
    assert {(r.status, r.rag, r.percent_complete, r.update_id) for r in rows} == {
        ("not_started", "not_reported", 0, None)
    }
    assert {r.due_date for r in rows} == {action.due_date}


def test_update_fills_its_quarter_and_the_rest_of_the_year(action, officer):
    update = report(action, officer, Quarter(2022, 2), percent=40)
    rows = {r.period: r for r in ActionQuarterState.objects.filter(action=action, partner__isnull=True)}
    assert rows[20221].update_id is None
    assert [rows[p].update_id for p in (20222, 20223, 20224)] == [update.pk] * 3
    assert (rows[20223].status, rows[20223].rag, rows[20223].percent_complete) == ("in_progress", "green", 40)
    assert rows[20222].previous_status == ""
    assert rows[20223].previous_status == "in_progress"
    assert stored_state(action, Quarter(2022, 1)) is None


def test_revised_due_date_is_copied_with_the_slip(action, officer):
    draft = services.UpdateDraft(
        quarter=Quarter(2022, 3),
        status="in_progress",
        rag="amber",
        percent_complete=60,
        commentary="Supplier delay.",
        revised_due_date=action.due_date + datetime.timedelta(days=30),
        revision_reason="Supplier delay.",
    )
    services.update_create(action=action, author=officer, draft=draft, check_version=False)
    row = ActionQuarterState.objects.get(action=action, partner__isnull=True, period=20223)
    assert row.due_date == action.due_date + datetime.timedelta(days=30)
    assert row.slip_days == 30


def test_admin_edits_of_the_action_and_its_partners_are_followed(action, officer, maidstone):
    report(action, officer, Quarter(2022, 1))
    action.due_date = action.due_date - datetime.timedelta(days=10)
    action.save()
    assert set(ActionQuarterState.objects.filter(action=action).values_list("due_date", flat=True)) == {
        action.due_date
    }
    action.partners.remove(maidstone)
    assert not ActionQuarterState.objects.filter(action=action, partner=maidstone).exists()
    action.partners.add(maidstone)
    assert ActionQuarterState.objects.filter(action=action, partner=maidstone).count() == 4
    action.reference = "1.9"
    action.save()
    action.theme.number = 4
    action.theme.save()
    assert set(ActionQuarterState.objects.filter(action=action).values_list("reference", "theme_number")) == {
        ("1.9", 4)
    }


def test_late_update_for_an_earlier_quarter_only_wins_until_the_next_update(action, officer):
    q3 = report(action, officer, Quarter(2022, 3), rag="amber")
    late_q1 = report(action, officer, Quarter(2022, 1))
    assert stored_state(action, Quarter(2022, 1)) == late_q1
    assert stored_state(action, Quarter(2022, 2)) == late_q1
    assert stored_state(action, Quarter(2022, 3)) == q3
    assert stored_state(action, Quarter(2022, 4)) == q3


def test_correction_within_a_quarter_replaces_it_from_then_on(action, officer):
    report(action, officer, Quarter(2022, 2), rag="red")
    correction = report(action, officer, Quarter(2022, 2), rag="green")
    assert stored_state(action, Quarter(2022, 2)) == correction
    assert stored_state(action, Quarter(2022, 4)) == correction
    assert ActionQuarterState.objects.filter(action=action, period=20222, partner__isnull=True).count() == 1


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
    for quarter in (Quarter(2022, 2), Quarter(2022, 3)):
        for who in (None, maidstone, swale):
            assert (stored_state(action, quarter, who).pk) == oracle.searched_state_id(action, quarter, who)
