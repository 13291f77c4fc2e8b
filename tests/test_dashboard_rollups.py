"""Every dashboard figure equals a row-by-row recount (tests/dashboard_reference.py)."""

import datetime

import pytest

from actionplan import figures, rules
from actionplan.factories import ActionFactory, PlanFactory, UpdateFactory
from actionplan.models import Action, ActionPlan
from core.quarters import Quarter
from demo import loader as demo
from tests import dashboard_reference as ref
from tests.conftest import add_update, at
from themes.factories import PartnerFactory
from themes.models import PartnerAuthority, Strategy

pytestmark = pytest.mark.django_db


def assert_matches(plan, rollup, *, quarter=None, partner=None, theme=None):
    rows = ref.states(plan, quarter=quarter, partner=partner, theme=theme)
    assert ref.as_dict(rollup.totals) == ref.recount(rows)
    for row in rollup.themes:
        expected = ref.recount([s for s in rows if s.action.theme_id == row.theme_id])
        assert ref.as_dict(row.tally) == expected, f"theme {row.number}"
    partners = [partner] if partner else PartnerAuthority.objects.all()
    assert {p.partner_id for p in rollup.partners} == {p.pk for p in partners}
    for row in rollup.partners:
        p = PartnerAuthority.objects.get(pk=row.partner_id)
        expected = ref.recount(ref.states(plan, quarter=quarter, partner=p, theme=theme))
        assert ref.as_dict(row.tally) == expected, p.short_name
    overdue = sorted((s for s in rows if s.is_overdue), key=lambda s: (s.due_date, s.action.theme.number))
    assert [line.action_id for line in rollup.overdue] == [s.action.pk for s in overdue][: rollup.list_limit]
    slipped = {s.action.pk: s for s in rows if s.due_date != s.action.due_date}
    assert {line.action_id for line in rollup.slippage} <= set(slipped)
    for line in rollup.slippage:
        state = slipped[line.action_id]
        assert line.slipped_days == state.slipped_days
        assert line.revision_reason == state.update.revision_reason
    before = ref.states(plan, quarter=figures.comparison_quarter(quarter), partner=partner, theme=theme)
    kinds = ref.change_kinds(rows, before)
    for kind in figures.CHANGE_KINDS:
        expected = {a for a, k in kinds.items() if k == kind}
        assert rollup.changes.counts[kind] == len(expected), kind
        assert {line.action_id for line in rollup.changes.lines[kind]} <= expected


def assert_trend_matches(strategy, rollup, *, partner=None, theme=None):
    for point in rollup.trend:
        plan = ActionPlan.objects.filter(strategy=strategy, year=point.quarter.year).first()
        rows = ref.states(plan, quarter=point.quarter, partner=partner, theme=theme) if plan else []
        expected = ref.recount(rows)
        assert point.total == expected["total"], point.quarter
        assert {k: v for k, v in point.rag.items() if v} == expected["rag"], point.quarter


@pytest.fixture
def demo_plan(db):
    demo.load(scale=1, reports=False, log=lambda message: None)
    return ActionPlan.objects.get(strategy__title=demo.ACTIVE_TITLE, year=2022)


def test_demo_figures_match_a_recount(demo_plan):
    strategy = demo_plan.strategy
    for code in (None, 20221, 20222, 20223, 20214):
        quarter = Quarter.from_code(code) if code else None
        plan = ActionPlan.objects.get(strategy=strategy, year=quarter.year) if quarter else demo_plan
        rollup = figures.summary(plan, quarter)
        assert rollup.totals.total == plan.actions.count()
        assert_matches(plan, rollup, quarter=quarter)
    assert_trend_matches(strategy, rollup)


def test_demo_partner_figures_match_a_recount(demo_plan):
    for partner in PartnerAuthority.objects.all():
        for quarter in (None, Quarter(2022, 2)):
            rollup = figures.summary(demo_plan, quarter, partner=partner)
            assert rollup.totals.total == demo_plan.actions.filter(partners=partner).count()
            assert_matches(demo_plan, rollup, quarter=quarter, partner=partner)
        assert_trend_matches(demo_plan.strategy, rollup, partner=partner)


def test_demo_theme_figures_match_a_recount(demo_plan):
    theme = demo_plan.strategy.themes.get(number=3)
    rollup = figures.summary(demo_plan, Quarter(2022, 3), theme=theme)
    assert [row.number for row in rollup.themes] == [3]
    assert_matches(demo_plan, rollup, quarter=Quarter(2022, 3), theme=theme)
    assert_trend_matches(demo_plan.strategy, rollup, theme=theme)


def test_demo_lists_are_cut_but_counts_stay_exact(demo_plan):
    full = figures.summary(demo_plan)
    cut = figures.summary(demo_plan, list_limit=2)
    assert cut.totals.overdue == full.totals.overdue > 2
    assert len(cut.overdue) == 2 and cut.overdue == full.overdue[:2]
    assert cut.changes.counts == full.changes.counts
    assert all(len(lines) <= 2 for lines in cut.changes.lines.values())


def test_cached_summary_sees_a_new_update_at_once(demo_plan, settings):
    from core import clock

    first = figures.cached_summary(demo_plan)
    assert figures.cached_summary(demo_plan) is not first or first.totals.total  # a cache hit is fine
    action = demo_plan.actions.filter(latest_update__rag="green").first()
    update = add_update(
        action,
        action.lead_officer,
        quarter=clock.reporting_quarter(),
        rag="red",
        percent_complete=10,
        commentary="Supplier failed.",
        check_version=False,
    )
    # Sign-off is on in the demo: submitted, it changes nothing; approved, it counts at once.
    assert figures.cached_summary(demo_plan).totals.rag == first.totals.rag
    from accounts.models import User
    from actionplan import sign_off

    sign_off.update_decide(user=User.objects.get(username="manager"), updates=[update], decision="approved")
    after = figures.cached_summary(demo_plan)
    assert after.totals.rag["red"] == first.totals.rag["red"] + 1
    assert after.totals.rag["green"] == first.totals.rag["green"] - 1


# --- hand-built edge cases ------------------------------------------------------


@pytest.fixture
def empty_plan(strategy, theme):
    return PlanFactory(strategy=strategy, year=2022)


def test_empty_plan(empty_plan):
    rollup = figures.summary(empty_plan)
    assert rollup.totals.total == 0
    assert rollup.totals.average_percent is None
    assert rollup.overdue == [] and rollup.slippage == []
    assert sum(rollup.changes.counts.values()) == 0
    assert all(row.tally.total == 0 for row in rollup.themes)
    assert [p.total for p in rollup.trend] == [0] * len(rollup.trend)


def test_all_completed(plan, theme, officer, maidstone):
    for _ in range(3):
        action = ActionFactory(plan=plan, theme=theme, lead_officer=officer, partners=[maidstone])
        UpdateFactory(action=action, period=20221, percent_complete=40, created_at=at(2022, 7, 3))
        UpdateFactory(
            action=action,
            period=20222,
            status="completed",
            rag="blue",
            percent_complete=100,
            created_at=at(2022, 10, 3),
        )
    rollup = figures.summary(plan, Quarter(2022, 3))
    assert rollup.totals.status["completed"] == 3 and rollup.totals.rag["blue"] == 3
    assert rollup.totals.average_percent == 100
    assert rollup.totals.overdue == 0
    assert rollup.changes.counts == dict.fromkeys(figures.CHANGE_KINDS, 0)
    at_q2 = figures.summary(plan, Quarter(2022, 2))
    assert at_q2.changes.counts["completed"] == 3
    assert_matches(plan, rollup, quarter=Quarter(2022, 3))


def test_action_serving_one_partner_only(plan, theme, officer, maidstone, swale):
    only_swale = ActionFactory(plan=plan, theme=theme, lead_officer=officer, partners=[swale])
    both = ActionFactory(plan=plan, theme=theme, lead_officer=officer, partners=[maidstone, swale])
    UpdateFactory(action=only_swale, period=20222, rag="red", commentary="Late", created_at=at(2022, 10, 2))
    UpdateFactory(action=both, period=20222, rag="green", created_at=at(2022, 10, 2))
    UpdateFactory(
        action=both, partner=swale, period=20222, rag="amber", commentary="Works", created_at=at(2022, 10, 3)
    )
    rollup = figures.summary(plan, Quarter(2022, 2))
    by_partner = {row.slug: row.tally for row in rollup.partners}
    assert by_partner["maidstone"].total == 1 and by_partner["maidstone"].rag["green"] == 1
    assert by_partner["swale"].total == 2
    assert by_partner["swale"].rag == {**dict.fromkeys(rules.RAG_KEYS, 0), "red": 1, "amber": 1}
    # The headline counts each action once, at its worst council: `both` is amber (Swale's).
    assert rollup.totals.total == 2 and rollup.totals.rag == {
        **dict.fromkeys(rules.RAG_KEYS, 0),
        "red": 1,
        "amber": 1,
    }
    swale_view = figures.summary(plan, Quarter(2022, 2), partner=swale)
    assert swale_view.totals.rag["amber"] == 1 and swale_view.totals.total == 2
    assert_matches(plan, swale_view, quarter=Quarter(2022, 2), partner=swale)


def test_updates_entered_late_in_the_quarter(action):
    # Q2's update arrives in October; a late correction for Q1 comes after it.
    UpdateFactory(action=action, period=20221, rag="green", percent_complete=20, created_at=at(2022, 7, 1))
    UpdateFactory(
        action=action,
        period=20222,
        rag="red",
        commentary="Stalled",
        percent_complete=30,
        created_at=at(2022, 10, 14),
    )
    UpdateFactory(action=action, period=20221, rag="green", percent_complete=25, created_at=at(2022, 11, 1))
    q2 = figures.summary(action.plan, Quarter(2022, 2))
    assert q2.totals.rag["red"] == 1 and q2.totals.percent_sum == 30
    assert q2.changes.counts["worsened"] == 1
    q1 = figures.summary(action.plan, Quarter(2022, 1))
    assert q1.totals.rag["green"] == 1 and q1.totals.percent_sum == 25
    assert q1.changes.counts["added"] == 1


def test_cancelled_actions_are_left_out_of_averages_and_overdue(plan, theme, officer, maidstone):
    cancelled = ActionFactory(
        plan=plan,
        theme=theme,
        lead_officer=officer,
        partners=[maidstone],
        due_date=datetime.date(2022, 9, 30),
    )
    live = ActionFactory(
        plan=plan,
        theme=theme,
        lead_officer=officer,
        partners=[maidstone],
        due_date=datetime.date(2022, 9, 30),
    )
    UpdateFactory(
        action=cancelled,
        period=20222,
        status="cancelled",
        rag="amber",
        commentary="Superseded",
        percent_complete=10,
        created_at=at(2022, 10, 3),
    )
    UpdateFactory(action=live, period=20222, percent_complete=60, created_at=at(2022, 10, 3))
    rollup = figures.summary(plan, Quarter(2022, 3))
    assert rollup.totals.status["cancelled"] == 1
    assert rollup.totals.average_percent == 60
    assert [line.action_id for line in rollup.overdue] == [live.pk]
    assert rollup.changes.counts == dict.fromkeys(figures.CHANGE_KINDS, 0)
    assert_matches(plan, rollup, quarter=Quarter(2022, 3))


def test_revised_date_puts_an_action_in_the_slippage_register_and_off_overdue(action):
    UpdateFactory(
        action=action,
        period=20222,
        rag="amber",
        commentary="Supplier delay",
        revised_due_date=datetime.date(2023, 6, 30),
        revision_reason="Supplier delay",
        created_at=at(2022, 10, 3),
    )
    rollup = figures.summary(action.plan, Quarter(2022, 3))
    assert [(line.action_id, line.slipped_days, line.revision_reason) for line in rollup.slippage] == [
        (action.pk, (datetime.date(2023, 6, 30) - action.due_date).days, "Supplier delay")
    ]
    assert rollup.totals.overdue == 0 and rollup.totals.slipped == 1


def test_live_picture_reads_the_latest_update(action, officer):
    add_update(action, officer, rag="amber", percent_complete=30, commentary="Waiting on a supplier")
    rollup = figures.summary(action.plan)
    assert rollup.totals.rag["amber"] == 1 and rollup.totals.percent_sum == 30
    assert rollup.changes.since == Quarter(2022, 2) and rollup.changes.counts["added"] == 1
    assert_matches(action.plan, rollup)


def test_not_yet_reported_action_is_overdue_on_its_original_date(plan, theme, officer):
    ActionFactory(plan=plan, theme=theme, lead_officer=officer, due_date=datetime.date(2022, 12, 31))
    rollup = figures.summary(plan)
    assert rollup.totals.rag[rules.NOT_REPORTED] == 1
    assert rollup.totals.status["not_started"] == 1
    assert rollup.totals.overdue == 1 and rollup.totals.average_percent == 0
    assert figures.summary(plan, Quarter(2022, 3)).totals.overdue == 0  # due on the quarter's last day


def test_trend_counts_each_quarters_own_plan(strategy, theme, officer):
    old = ActionFactory(plan=PlanFactory(strategy=strategy, year=2021), theme=theme, lead_officer=officer)
    new = ActionFactory(plan=PlanFactory(strategy=strategy, year=2022), theme=theme, lead_officer=officer)
    UpdateFactory(action=old, period=20214, rag="red", commentary="Late", created_at=at(2022, 4, 5))
    UpdateFactory(action=new, period=20221, rag="green", created_at=at(2022, 7, 5))
    points = {p.quarter.code: p for p in figures.trend(strategy)}
    assert points[20214].rag["red"] == 1 and points[20214].total == 1
    assert points[20221].rag["green"] == 1 and points[20221].total == 1
    assert list(points)[0] == 20191 and list(points)[-1] == 20224


def test_partner_with_no_actions(plan, theme, officer, maidstone):
    ActionFactory(plan=plan, theme=theme, lead_officer=officer, partners=[maidstone])
    lonely = PartnerFactory(short_name="XBC", slug="xbc")
    rollup = figures.summary(plan, partner=lonely)
    assert rollup.totals.total == 0 and rollup.totals.average_percent is None
    assert Strategy.objects.count() == 1


def test_an_update_landing_while_the_lists_are_read_does_not_break_the_page(plan, theme, officer):
    """An update replaces its action's state rows (derived.refresh). Under load one landed
    between the overdue list's choice of rows and their fetch, and the dashboard answered
    500 (KeyError in figures._lines). Here the action's rows are replaced before every
    further read of the state table, as a concurrent writer's would be."""
    from django.db import connection

    from actionplan import derived
    from actionplan.models import ActionQuarterState

    late = ActionFactory(
        plan=plan,
        theme=theme,
        lead_officer=officer,
        start_date=datetime.date(2022, 4, 1),
        due_date=datetime.date(2022, 11, 30),
    )
    table = ActionQuarterState._meta.db_table
    reads, writing = [], []

    def concurrent_writer(execute, sql, params, many, context):
        if not writing and table in sql and sql.lstrip().upper().startswith("SELECT"):
            if reads:
                writing.append(True)
                derived.refresh(Action.objects.filter(pk=late.pk))
                writing.clear()
            reads.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(concurrent_writer):
        rollup = figures.summary(plan, list_limit=15)
    assert len(reads) > 1  # the writer did get in between
    assert [line.action_id for line in rollup.overdue] == [late.pk]
