"""The roll-up across partners, agreed everywhere: the headline counts each action once at
the worst of its councils; each council's figures use its own states; every figure links
to exactly the actions it counts; the action page, the API and the board report say the
same. Hand-built cases: one council red while the others are green, councils differing in
% complete, an action serving one council, and one overdue at one council only."""

import datetime
import re

import pytest
from django.core.management import call_command

from actionplan import derived, rules, selectors
from actionplan.factories import ActionFactory, UpdateFactory
from actionplan.figures import summary
from actionplan.models import Action, ActionQuarterState
from core.quarters import Quarter
from reporting import selectors as report_selectors
from reporting.factories import BoardReportFactory
from tests.conftest import at
from themes.factories import PartnerFactory

pytestmark = pytest.mark.django_db
Q3 = Quarter(2022, 3)
# Worst first, written out here rather than taken from actionplan.rules.
WORST_FIRST = ["red", "amber", "green", "not_reported", "blue"]


@pytest.fixture
def tunbridge_wells(db):
    return PartnerFactory(short_name="TWBC", name="Tunbridge Wells Borough Council", slug="tunbridge-wells")


@pytest.fixture
def cases(plan, theme, officer, maidstone, swale, tunbridge_wells):
    """Four actions, each with the council states the oracle below expects."""
    everyone = [maidstone, swale, tunbridge_wells]
    one_red = ActionFactory(
        plan=plan, theme=theme, lead_officer=officer, reference="1.1", partners=everyone,
        due_date=datetime.date(2022, 12, 31),
    )  # fmt: skip
    # The whole action is green with a later date; Swale is red, 30%, and still due in December.
    UpdateFactory(
        action=one_red, period=20223, rag="green", percent_complete=60, created_at=at(2023, 1, 5),
        revised_due_date=datetime.date(2023, 3, 31), revision_reason="Maidstone and TWBC moved it.",
    )  # fmt: skip
    UpdateFactory(
        action=one_red, partner=swale, period=20223, rag="red", percent_complete=30,
        commentary="Swale's kit has not arrived.", created_at=at(2023, 1, 6),
    )  # fmt: skip
    percent = ActionFactory(
        plan=plan, theme=theme, lead_officer=officer, reference="1.2", partners=[maidstone, swale]
    )
    UpdateFactory(action=percent, period=20223, rag="green", percent_complete=70, created_at=at(2023, 1, 5))
    UpdateFactory(
        action=percent, partner=maidstone, period=20223, rag="green", percent_complete=40,
        created_at=at(2023, 1, 6),
    )  # fmt: skip
    single = ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="1.3", partners=[swale])
    UpdateFactory(
        action=single, period=20223, rag="amber", percent_complete=50, commentary="Slow.",
        created_at=at(2023, 1, 5),
    )  # fmt: skip
    same = ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="1.4", partners=everyone)
    UpdateFactory(action=same, period=20223, rag="green", percent_complete=80, created_at=at(2023, 1, 5))
    return {"one_red": one_red, "percent": percent, "single": single, "same": same}


def oracle(action, partner=None):
    """(rag, % complete) of an action for one council (its own latest update, else the whole
    action's) or, with no partner, the worst of its councils: written out the long way."""

    def council(p):
        own = list(action.updates.filter(partner=p).order_by("period", "created_at", "id"))
        whole = list(action.updates.filter(partner=None).order_by("period", "created_at", "id"))
        latest = (own or whole or [None])[-1]
        return (latest.rag, latest.percent_complete) if latest else ("not_reported", 0)

    if partner is not None:
        return council(partner)
    states = [council(p) for p in action.partners.all()]
    return min((s[0] for s in states), key=WORST_FIRST.index), min(s[1] for s in states)


def test_the_headline_is_the_worst_council_and_each_council_its_own(cases, plan, maidstone, swale):
    headline = summary(plan)
    assert headline.totals.rag == {"red": 1, "amber": 1, "green": 2, "blue": 0, "not_reported": 0}
    assert headline.totals.average_percent == (30 + 40 + 50 + 80) / 4
    assert headline.totals.differing == 2  # 1.1 and 1.2
    by_council = {row.slug: row.tally for row in headline.partners}
    assert by_council["swale"].rag["red"] == 1 and by_council["swale"].total == 4
    assert by_council["maidstone"].rag == {"red": 0, "amber": 0, "green": 3, "blue": 0, "not_reported": 0}
    assert by_council["maidstone"].percent_sum == 60 + 40 + 80
    # No headline figure looks better than any council's own.
    for tally in by_council.values():
        assert headline.totals.rag["red"] >= tally.rag["red"]
    for action in Action.objects.all():
        rag, percent = oracle(action)
        state = selectors.action_state(action)
        assert (state.rag_key, state.percent_complete) == (rag, percent), action.reference
        for partner in action.partners.all():
            own = selectors.action_state(action, partner=partner)
            assert (own.rag_key, own.percent_complete) == oracle(action, partner)


def _figure_links(response):
    """(count, url) of every RAG, status, total and overdue figure on a dashboard page."""
    ctx = response.context
    rows = [ctx["totals"], *ctx["theme_rows"], *ctx["partner_rows"]]
    links = [(n, url) for row in rows for _name, n, url in row["rag_cells"]]
    links += [(row["tally"].total, row["total_url"]) for row in rows]
    links += [(row["tally"].overdue, row["overdue_url"]) for row in rows]
    links += [(n, url) for _name, n, url in ctx["status_cells"]]
    return links


@pytest.mark.parametrize(
    "view", ["", "&partner=swale", "&partner=maidstone", "&as_at=20223", "&partner=swale&as_at=20223"]
)
def test_every_figure_links_to_exactly_the_actions_it_counts(client, councillor, cases, view):
    client.force_login(councillor)
    page = client.get(f"/?year=2022{view}")
    assert page.status_code == 200
    links = _figure_links(page)
    assert len(links) > 20 and all(url for _n, url in links)
    for n, url in links:
        listed = client.get(url)
        assert listed.status_code == 200, url
        assert listed.context["page"].paginator.count == n, url
        api = client.get(url.replace("/actions/?", "/api/v1/actions/?"))
        assert api.json()["count"] == n, url


def test_overdue_at_one_council_counts_today_but_not_at_the_quarters_end(cases, plan):
    """1.1 is due 31 December at Swale (the whole action moved to March): overdue today
    (16 January) there, so in the headline; not overdue on 31 December, the quarter's end."""
    live, as_at = summary(plan), summary(plan, Q3)
    assert [line.reference for line in live.overdue] == ["1.1"]
    assert live.overdue[0].councils == "SBC"
    assert live.totals.overdue == 1 and as_at.totals.overdue == 0
    assert live.overdue_label == "overdue today"
    assert as_at.overdue_label == "overdue at the end of 2022/23 Q3"
    assert {row.slug: row.tally.overdue for row in live.partners} == {
        "maidstone": 0, "swale": 1, "tunbridge-wells": 0,
    }  # fmt: skip


def test_the_action_page_shows_each_council_and_says_they_differ(client, councillor, cases):
    client.force_login(councillor)
    html = client.get(f"/actions/{cases['one_red'].pk}/").content.decode()
    assert "Delivery differs between the councils" in html
    assert "SBC red, 30%" in html and "MBC green, 60%" in html
    assert re.search(r'id="by-partner".*delivery differs', html, re.S)
    same = client.get(f"/actions/{cases['same'].pk}/").content.decode()
    assert "Delivery differs" not in same and "the same for every council" in same


def test_the_api_gives_the_whole_action_at_its_worst_and_each_council_on_request(client, councillor, cases):
    client.force_login(councillor)
    body = client.get(f"/api/v1/actions/{cases['one_red'].pk}/").json()["current"]
    assert body["rag"] == "red" and body["percent_complete"] == 30 and body["partners_differ"] is True
    reds = client.get("/api/v1/actions/?year=2022&rag=red").json()["results"]
    assert [a["reference"] for a in reds] == ["1.1"]
    maidstone_view = client.get("/api/v1/actions/?year=2022&partner=MBC").json()["results"]
    assert {a["reference"]: a["current"]["rag"] for a in maidstone_view} == {
        "1.1": "green", "1.2": "green", "1.4": "green",
    }  # fmt: skip


def test_the_board_report_agrees_and_names_the_council(cases, strategy, plan):
    report = BoardReportFactory(strategy=strategy, period=Q3.code)
    content = report_selectors.content_for(report)
    dashboard = summary(plan, Q3)
    assert content.summary.rag == dashboard.totals.rag
    assert [(p.slug, p.tally.rag) for p in content.partners] == [
        (p.slug, p.tally.rag) for p in dashboard.partners if p.tally.total
    ]
    exceptions = {s.action.reference: s for s in content.exceptions}
    assert list(exceptions) == ["1.1", "1.3"]
    assert exceptions["1.1"].councils == "SBC"  # only Swale's delivery is the problem
    # ...and Swale's own update explains it, not the whole action's green one.
    assert exceptions["1.1"].update.commentary == "Swale's kit has not arrived."
    assert exceptions["1.3"].councils == ""  # serves Swale alone: nothing to single out


def test_roll_up_rule_cases():
    d = datetime.date(2023, 3, 31)
    F = rules.Figures
    assert rules.roll_up([F("completed", "blue", 100, d), F("in_progress", "green", 60, d)]) == F(
        "in_progress", "green", 60, d
    )
    assert (
        rules.roll_up([F("completed", "blue", 100, d), F("completed", "blue", 100, d)]).status == "completed"
    )
    # A council that cancelled its part does not hold the action open.
    assert rules.roll_up([F("cancelled", "green", 20, d), F("completed", "blue", 100, d)]) == F(
        "completed", "blue", 100, d
    )
    early = datetime.date(2022, 12, 31)
    assert rules.roll_up([F("in_progress", "green", 50, d), F("in_progress", "amber", 40, early)]) == F(
        "in_progress", "amber", 40, early
    )


def test_the_demo_headline_never_looks_better_than_a_council(db):
    call_command("load_demo_data", verbosity=0)
    from actionplan.models import ActionPlan

    for plan in ActionPlan.objects.filter(strategy__status="active", status="approved"):
        for quarter in plan.quarters:
            if quarter > Quarter(2022, 3):
                continue
            rollup = summary(plan, quarter)
            for council in rollup.partners:
                assert rollup.totals.rag["red"] >= council.tally.rag["red"], (plan, quarter, council.slug)
                assert rollup.totals.overdue >= council.tally.overdue, (plan, quarter, council.slug)
                assert rollup.totals.status["completed"] <= council.tally.status["completed"] + (
                    rollup.totals.total - council.tally.total
                )
    # Stored rows agree with a fresh derivation.
    before = set(
        ActionQuarterState.objects.values_list("action", "partner", "period", "rag", "percent_complete")
    )
    derived.refresh()
    assert before == set(
        ActionQuarterState.objects.values_list("action", "partner", "period", "rag", "percent_complete")
    )


def test_on_the_demo_every_figure_links_to_its_actions_and_the_report_agrees(client, db):
    call_command("load_demo_data", reports=False, verbosity=0)
    from accounts.models import User
    from actionplan.models import ActionPlan

    client.force_login(User.objects.get(username="councillor"))
    for view in ("", "&partner=swale", "&as_at=20222", "&partner=tunbridge-wells&as_at=20222"):
        page = client.get(f"/?year=2022{view}")
        for n, url in _figure_links(page):
            assert client.get(url).context["page"].paginator.count == n, url
    # Page 3 (the summary) and page 13 (the councils) of the Q2 report against the dashboard.
    plan = ActionPlan.objects.get(year=2022, strategy__status="active")
    report = BoardReportFactory(strategy=plan.strategy, period=20222)
    content = report_selectors.content_for(report)
    dashboard = summary(plan, Quarter(2022, 2))
    assert content.summary.rag == dashboard.totals.rag
    assert content.summary.overdue == dashboard.totals.overdue
    assert {p.slug: p.tally.rag for p in content.partners} == {
        p.slug: p.tally.rag for p in dashboard.partners if p.tally.total
    }
    for council in content.partners:
        assert content.summary.rag["red"] >= council.tally.rag["red"]
