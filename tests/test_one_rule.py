"""One rule, one place: who owes an update is decided once, and every reader agrees;
the layers import downwards only; each rule has one definition."""

import ast
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts import roles
from accounts.models import User
from actionplan import selectors, services
from actionplan.factories import ActionFactory, UpdateFactory
from core.quarters import Quarter
from reminders import services as reminder_services
from themes import selectors as themes_selectors

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "accounts",
    "actionplan",
    "api",
    "audit",
    "core",
    "dashboard",
    "demo",
    "indicators",
    "reminders",
    "reporting",
    "risks",
    "themes",
]
Q3, Q4 = Quarter(2022, 3), Quarter(2022, 4)


def _due_on_my_actions(officer, quarter) -> set[int]:
    mine = selectors.led_actions(officer, quarter=quarter)
    return {row.state.action.pk for row in mine.rows if row.update_due}


def _reminded(strategy, quarter, step="due") -> dict[int, set[int]]:
    """Officer id -> the actions the reminder e-mail would list."""
    return {
        planned.recipient.pk: {a.pk for a in planned.actions}
        for planned in reminder_services.recipients_for(strategy, quarter, step)
    }


def _missing_page(client, admin, quarter) -> dict[int, set[int]]:
    client.force_login(admin)
    response = client.get(f"/reminders/missing/?quarter={quarter.code}")
    assert response.status_code == 200
    return {row["officer"].pk: {a.pk for a in row["actions"]} for row in response.context["rows"]}


@pytest.mark.django_db
def test_my_actions_reminders_and_missing_page_agree_for_every_demo_officer(client):
    call_command("load_demo_data", verbosity=0, reports=False)
    strategy = themes_selectors.active_strategy()
    admin = User.objects.get(username="admin")
    reminded = _reminded(strategy, Q3)
    listed = _missing_page(client, admin, Q3)
    assert reminded == listed
    officers = User.objects.filter(groups__name=roles.OFFICER, led_actions__isnull=False).distinct()
    assert officers.count() >= 4
    due_anywhere = 0
    for officer in officers:
        due = _due_on_my_actions(officer, Q3)
        assert due == reminded.get(officer.pk, set()), officer.username
        due_anywhere += len(due)
    # The demo's story: 2022/23 Q3 updates partly in on the due day.
    received, expected = selectors.update_returns(quarter=Q3, strategy=strategy)
    assert due_anywhere == expected - received > 0


@pytest.mark.django_db
def test_a_later_quarters_update_does_not_answer_for_the_reporting_quarter(
    client, action, officer, administrator
):
    """Where My actions and the reminders used to disagree: an update for Q4 but none for Q3."""
    UpdateFactory(action=action, period=Q4.code)
    strategy = action.plan.strategy
    assert _due_on_my_actions(officer, Q3) == {action.pk}
    assert _reminded(strategy, Q3) == {officer.pk: {action.pk}}
    assert _missing_page(client, administrator, Q3) == {officer.pk: {action.pk}}
    UpdateFactory(action=action, period=Q3.code)
    assert _due_on_my_actions(officer, Q3) == set()
    assert _reminded(strategy, Q3) == {}
    assert _missing_page(client, administrator, Q3) == {}


@pytest.mark.django_db
def test_an_update_missing_when_its_quarter_is_locked_is_missed_not_due(
    client, action, officer, administrator
):
    services.quarter_lock(quarter=Q3, user=administrator, reason="Reported to the board")
    row = selectors.led_actions(officer, quarter=Q3).rows[0]
    assert (row.returned, row.update_due, row.missed) == (selectors.Return.MISSED, False, True)
    # No reminder chases a quarter that can no longer take its update...
    assert all(quarter != Q3 for _, quarter, _ in reminder_services.due_steps())
    # ...while the administrators still see it among the missing.
    assert _missing_page(client, administrator, Q3) == {officer.pk: {action.pk}}
    client.force_login(officer)
    assert "Missed" in client.get("/actions/mine/").content.decode()
    # The action's page and its update form (which can no longer offer Q3) say so too.
    for page in (f"/actions/{action.pk}/", f"/actions/{action.pk}/update/"):
        html = client.get(page).content.decode()
        # The action started in April: locking Q3 locked Q1 and Q2, neither reported either.
        missed = (
            "Missed: no update was given for 2022/23 Q1, 2022/23 Q2, 2022/23 Q3 before they were reported"
        )
        assert missed in html, page
    assert selectors.missed_quarters(action) == [Quarter(2022, 1), Quarter(2022, 2), Q3]
    # A late update for one of them is refused by the window, and a quarter's own update is
    # what clears it: here arranged directly, as if it had come before the lock.
    UpdateFactory(action=action, period=Quarter(2022, 2).code)
    assert selectors.missed_quarters(action) == [Quarter(2022, 1), Q3]


@pytest.mark.django_db
def test_an_update_given_before_the_lock_is_not_missed(action, officer, administrator):
    UpdateFactory(action=action, period=Q3.code)
    services.quarter_lock(quarter=Q3, user=administrator)
    assert selectors.missed_quarters(action) == [Quarter(2022, 1), Quarter(2022, 2)]
    UpdateFactory(action=action, period=Quarter(2022, 1).code)
    UpdateFactory(action=action, period=Quarter(2022, 2).code)
    assert selectors.missed_quarters(action) == []
    row = selectors.led_actions(officer, quarter=Q3).rows[0]
    assert row.returned == selectors.Return.RECEIVED


@pytest.mark.django_db
def test_an_action_closed_by_the_quarter_before_owes_nothing(action, officer):
    UpdateFactory(
        action=action, period=Quarter(2022, 2).code, status="completed", rag="blue", percent_complete=100
    )
    other = ActionFactory(plan=action.plan, theme=action.theme, lead_officer=officer, reference="1.2")
    rows = {row.state.action.pk: row.returned for row in selectors.led_actions(officer, quarter=Q3).rows}
    assert rows == {action.pk: selectors.Return.NOT_OWED, other.pk: selectors.Return.DUE}


# --- layers -----------------------------------------------------------------------


def _top_level_imports(path: Path) -> set[str]:
    """Modules a file imports when it is imported (not inside functions)."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _modules(app: str) -> dict[str, Path]:
    return {
        ".".join(path.relative_to(ROOT).with_suffix("").parts): path
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }


def test_core_imports_no_app():
    for module, path in _modules("core").items():
        for imported in _top_level_imports(path) | _lazy_imports(path):
            assert imported.split(".")[0] not in set(APPS) - {"core"}, f"{module} imports {imported}"


def _lazy_imports(path: Path) -> set[str]:
    return {
        node.module
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module
    }


@pytest.mark.parametrize("app", APPS)
def test_no_import_cycle_within_an_app(app):
    modules = _modules(app)
    graph = {
        module: {m for m in _top_level_imports(path) if m in modules and m != module}
        for module, path in modules.items()
    }

    def visit(module, trail):
        for imported in graph[module]:
            assert imported not in trail, " -> ".join([*trail, imported])
            visit(imported, [*trail, imported])

    for module in graph:
        visit(module, [module])


# --- one definition each --------------------------------------------------------------

# Each rule's defining line, and the module that must be its only home.
ONE_HOME = {
    r"^def is_overdue\(": "actionplan/rules.py",
    r"^def state_at\(": "actionplan/rules.py",
    r"^def state_key\(": "actionplan/rules.py",
    r"^STATE_ORDER = ": "actionplan/rules.py",
    r"^CLOSED_STATUSES\b.*= \(": "actionplan/rules.py",
    r"^EXCLUDED_STATUSES\b.*= \(": "actionplan/rules.py",
    r"^RAG_SEVERITY_ORDER\b": "actionplan/rules.py",
    r"^def owes_update_q\(": "actionplan/rules.py",
    r"^def update_window\(": "actionplan/window.py",
    r"^def locked_up_to\(": "actionplan/window.py",
    r"^def active_strategy\(": "themes/selectors.py",
    r"^def refresh\(": "actionplan/derived.py",
    # An indicator's RAG, direction of travel and end-of-quarter figure.
    r"^def rag\(": "indicators/rules.py",
    r"^def direction\(": "indicators/rules.py",
    r"^def reading_at\(": "indicators/rules.py",
    r"^def tolerance_amount\(": "indicators/rules.py",
    r"\.objects\.bulk_create\(rows": "actionplan/derived.py",  # the only writer of the state table
    r"update\((latest_update|.*\[\"latest_update\"\])": "actionplan/derived.py",  # ...and of the pointer
    r"^def band_of\(": "risks/rules.py",
    r"^def movement\(": "risks/rules.py",
    r"^def review_at\(": "risks/rules.py",
}


def test_each_rule_has_one_home():
    sources = {
        str(path.relative_to(ROOT)): path.read_text()
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }
    for pattern, home in ONE_HOME.items():
        homes = sorted(name for name, text in sources.items() if re.search(pattern, text, re.M))
        assert homes == [home], f"{pattern}: {homes}"
    # "Not yet reported" has one spelling, written once; every other module names rules.NOT_REPORTED.
    spelt = sorted(
        name
        for name, text in sources.items()
        if any(
            isinstance(node, ast.Constant) and node.value == "not_reported"
            for node in ast.walk(ast.parse(text))
        )
    )
    assert spelt == ["actionplan/rules.py"]
