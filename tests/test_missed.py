"""Missed is missed: an update owed for a quarter and not given before the quarter was
locked reads as missed on My actions, the action page, the returns, the missing-updates
page, the dashboard and the board report, with the state carried from the earlier quarter
marked as such; never as "not needed"."""

import pytest

from actionplan import selectors, services
from actionplan.factories import ActionFactory, UpdateFactory
from actionplan.figures import summary
from core.quarters import Quarter
from reporting import selectors as report_selectors
from reporting import services as report_services
from reporting.factories import BoardReportFactory
from tests.conftest import at

pytestmark = pytest.mark.django_db
Q2, Q3 = Quarter(2022, 2), Quarter(2022, 3)


@pytest.fixture
def missed(plan, theme, officer, administrator, maidstone):
    """1.1 had its Q2 update and none for Q3; 1.2 had both. Q3 is then locked."""
    started = {"start_date": Q2.first_day, "partners": [maidstone]}  # nothing owed for Q1
    late = ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="1.1", **started)
    UpdateFactory(action=late, period=20222, rag="amber", percent_complete=40, commentary="Behind.",
                  created_at=at(2022, 10, 3))  # fmt: skip
    done = ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="1.2", **started)
    UpdateFactory(action=done, period=20222, rag="green", created_at=at(2022, 10, 3))
    UpdateFactory(action=done, period=20223, rag="green", created_at=at(2023, 1, 4))
    services.quarter_lock(quarter=Q3, user=administrator, reason="Reported to the board")
    return late


def test_missed_on_my_actions(client, officer, missed):
    mine = selectors.led_actions(officer, quarter=Q3)
    row = next(r for r in mine.rows if r.state.action == missed)
    assert row.missed and not row.update_due and mine.missed_count == 1
    client.force_login(officer)
    html = client.get("/actions/mine/").content.decode()
    assert "Missed" in html
    block = html[html.index("1.1") :]
    assert "Not needed" not in block[: block.index("</tr>")]


def test_missed_on_the_action_page_and_the_state_is_carried(client, officer, missed):
    assert selectors.missed_quarters(missed) == [Q3]
    state = selectors.action_state(missed, quarter=Q3)
    assert state.carried_from == Q2 and state.rag == "amber"
    client.force_login(officer)
    html = client.get(f"/actions/{missed.pk}/").content.decode()
    assert "Missed: no update was given for 2022/23 Q3" in html
    assert "Carried from 2022/23 Q2: no update was given for 2022/23 Q3" in html


def test_missed_in_the_returns_and_the_missing_updates_page(client, administrator, missed, strategy):
    assert selectors.update_returns(quarter=Q3, strategy=strategy) == (1, 2)
    assert list(selectors.actions_missing_update(quarter=Q3)) == [missed]
    client.force_login(administrator)
    html = client.get(f"/reminders/missing/?quarter={Q3.code}").content.decode()
    assert "1 of 2 updates received; 1 missed" in html


def test_missed_on_the_dashboard(client, councillor, missed, plan):
    rollup = summary(plan, Q3)
    assert [(m.quarter, m.count, [ln.reference for ln in m.lines]) for m in rollup.missed] == [
        (Q3, 1, ["1.1"])
    ]
    client.force_login(councillor)
    html = client.get("/?year=2022").content.decode()
    assert "1 action had no update for 2022/23 Q3 before it was locked" in html
    assert 'id="missed"' in html


def test_missed_in_the_board_report(missed, strategy):
    report = BoardReportFactory(strategy=strategy, period=Q3.code)
    returns = report_selectors.content_for(report).returns
    assert (returns.received, returns.expected, returns.locked) == (1, 2, True)
    assert [a.reference for a in returns.missing] == ["1.1"]
    html = report_services.report_html(report)
    assert "1 of the 2 updates owed for 2022/23 Q3 was received; 1 was missed" in html
    assert "1.1 (" in html


def test_before_the_lock_it_is_due_not_missed(plan, theme, officer):
    action = ActionFactory(plan=plan, theme=theme, lead_officer=officer)
    UpdateFactory(action=action, period=20222, rag="green", created_at=at(2022, 10, 3))
    row = next(r for r in selectors.led_actions(officer, quarter=Q3).rows if r.state.action == action)
    assert row.update_due and not row.missed
    assert selectors.missed_quarters(action) == []


def test_locking_or_reopening_a_quarter_changes_the_cached_figures_fingerprint(
    plan, theme, officer, administrator
):
    """The dashboard's cache key holds the data version: a lock (missed becomes due again
    on reopening) must change it, or the dashboard would show the old returns for an hour."""
    ActionFactory(plan=plan, theme=theme, lead_officer=officer)
    before = selectors.data_version()
    services.quarter_lock(quarter=Q3, user=administrator, reason="Reported")
    locked = selectors.data_version()
    services.quarter_reopen(quarter=Q3, user=administrator, reason="A figure was wrong")
    reopened = selectors.data_version()
    assert len({before.full, locked.full, reopened.full}) == 3
    assert len({before.structure, locked.structure, reopened.structure}) == 3
