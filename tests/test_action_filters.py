"""ActionFilter: the one filter behind /actions/, its CSV export and the API."""

import datetime

import pytest
from django.http import QueryDict

from actionplan import rules, selectors
from actionplan.factories import ActionFactory, PlanFactory, UpdateFactory
from actionplan.filters import ActionFilter
from actionplan.models import Action
from themes.factories import PartnerFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def refs(query: str) -> list[str]:
    action_filter = ActionFilter(QueryDict(query), queryset=Action.objects.all())
    assert action_filter.is_valid(), action_filter.errors
    return [a.reference for a in action_filter.qs]


@pytest.fixture
def board(plan, theme, strategy, officer, colleague, maidstone, swale):
    """A small plan: references say what each action is."""
    other_theme = ThemeFactory(strategy=strategy, number=2, title="Digital")
    make = ActionFactory
    actions = {
        "1.1": make(
            plan=plan,
            theme=theme,
            lead_officer=officer,
            reference="1.1",
            title="Laptops",
            partners=[maidstone],
        ),
        "1.2": make(
            plan=plan,
            theme=theme,
            lead_officer=officer,
            reference="1.2",
            title="Wi-Fi",
            partners=[swale],
            due_date=datetime.date(2022, 12, 31),
        ),
        "2.1": make(
            plan=plan,
            theme=other_theme,
            lead_officer=colleague,
            reference="2.1",
            title="Portal",
            partners=[maidstone, swale],
            due_date=datetime.date(2022, 9, 30),
        ),
        "2.2": make(
            plan=plan,
            theme=other_theme,
            lead_officer=colleague,
            reference="2.2",
            title="Chatbot",
            partners=[swale],
            due_date=datetime.date(2022, 6, 30),
        ),
    }
    UpdateFactory(
        action=actions["1.1"], status="in_progress", rag="green", commentary="Laptops are arriving."
    )
    UpdateFactory(
        action=actions["1.2"],
        status="in_progress",
        rag="red",
        commentary="Supplier failed.",
        revised_due_date=datetime.date(2023, 6, 30),
        revision_reason="New supplier.",
    )
    UpdateFactory(action=actions["2.1"], status="completed", rag="blue", percent_complete=100)
    # 2.2 has no update: not started, not yet reported, and past its due date.
    return actions


def test_year_defaults_to_the_current_financial_year(board, strategy, theme, officer):
    last_year = PlanFactory(strategy=strategy, year=2021)
    ActionFactory(plan=last_year, theme=theme, lead_officer=officer, reference="0.9")
    assert "0.9" not in refs("")
    assert refs("year=2021") == ["0.9"]
    assert len(refs("year=")) == 5  # blank: every year


@pytest.mark.parametrize(
    "query, expected",
    [
        ("theme=1", ["1.1", "1.2"]),
        ("theme=2", ["2.1", "2.2"]),
        ("partner=maidstone", ["1.1", "2.1"]),
        ("partner=SBC", ["1.2", "2.1", "2.2"]),
        ("partner=sbc", ["1.2", "2.1", "2.2"]),
        ("partner=nowhere", []),
        ("status=in_progress", ["1.1", "1.2"]),
        ("status=completed", ["2.1"]),
        ("status=not_started", ["2.2"]),
        ("rag=red", ["1.2"]),
        ("rag=blue", ["2.1"]),
        ("rag=not_reported", ["2.2"]),
        ("rag=not_started", ["2.2"]),  # the old spelling, still in links people saved
        ("lead=gareth", ["2.1", "2.2"]),
        ("q=wi-fi", ["1.2"]),
        ("q=2.1", ["2.1"]),
        ("q=supplier failed", ["1.2"]),
        ("q=LAPTOPS", ["1.1"]),
        ("theme=2&lead=gareth&status=not_started", ["2.2"]),
    ],
)
def test_each_filter(board, query, expected):
    assert refs(query) == expected


def test_overdue_follows_the_one_rule(board):
    # 1.2 was due 31 Dec 2022 but revised to June 2023: not overdue. 2.1 is
    # completed: never overdue. 2.2 has no update and was due in June 2022.
    assert refs("overdue=true") == ["2.2"]
    assert refs("overdue=false") == ["1.1", "1.2", "2.1"]


@pytest.mark.parametrize("status", ["in_progress", "not_started", "completed", "deferred", "cancelled"])
@pytest.mark.parametrize(
    "due", [datetime.date(2022, 12, 31), datetime.date(2023, 1, 16), datetime.date(2023, 3, 1)]
)
@pytest.mark.parametrize("revised", [None, datetime.date(2022, 11, 1), datetime.date(2023, 2, 1)])
def test_overdue_q_agrees_with_is_overdue(plan, theme, officer, status, due, revised):
    action = ActionFactory(plan=plan, theme=theme, lead_officer=officer, due_date=due)
    rag = "blue" if status == "completed" else "green"
    percent = 100 if status == "completed" else 10
    UpdateFactory(
        action=action,
        status=status,
        rag=rag,
        percent_complete=percent,
        revised_due_date=revised,
        revision_reason="Changed." if revised else "",
    )
    today = datetime.date(2023, 1, 16)
    # The list's filter (the rule as a query on state rows) and the rule in Python agree.
    in_query = refs("overdue=true") == [action.reference]
    assert in_query == rules.is_overdue(rules.due_date(due, revised), status, today)
    assert in_query == selectors.action_state(action).is_overdue


def test_commentary_search_reads_only_the_current_update(plan, theme, officer):
    action = ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="3.1")
    UpdateFactory(action=action, period=20221, commentary="Old news about printers.")
    UpdateFactory(action=action, period=20222, commentary="Now about scanners.")
    assert refs("q=scanners") == ["3.1"]
    assert refs("q=printers") == []


@pytest.mark.parametrize(
    "ordering, expected",
    [
        ("reference", ["1.1", "1.2", "2.1", "2.2"]),
        ("-reference", ["2.2", "2.1", "1.2", "1.1"]),
        ("title", ["2.2", "1.1", "2.1", "1.2"]),
        ("due", ["2.2", "2.1", "1.1", "1.2"]),  # 1.2's revised date counts
        ("rag", ["1.2", "1.1", "2.2", "2.1"]),  # red, green, not reported, blue
        ("lead", ["2.1", "2.2", "1.1", "1.2"]),
    ],
)
def test_ordering(board, officer, colleague, ordering, expected):
    officer.first_name, colleague.first_name = "Priya", "Gareth"
    officer.save()
    colleague.save()
    assert refs(f"ordering={ordering}") == expected


def test_unknown_choices_are_refused(board):
    for query in ("ordering=password", "status=lost", "rag=purple", "year=twenty"):
        assert not ActionFilter(QueryDict(query), queryset=Action.objects.all()).is_valid()


def test_page_choices_are_not_queried_when_filtering(board, django_assert_max_num_queries):
    """The API filters without rendering the form: only the partner's lookup (whose own states
    are read) and the filter query run."""
    PartnerFactory(short_name="TWBC", slug="tunbridge-wells")
    with django_assert_max_num_queries(2):
        action_filter = ActionFilter(QueryDict("partner=MBC&rag=green"), queryset=Action.objects.all())
        assert action_filter.is_valid()
        assert [a.reference for a in action_filter.qs] == ["1.1"]


def test_references_sort_as_people_read_them(plan, theme, officer):
    """1.2 before 1.10, in the list, its reverse, the CSV export and the dashboard's lists."""
    for reference in ("1.10", "1.2", "1.1", "1.9"):
        ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference=reference)
    assert refs("ordering=reference") == ["1.1", "1.2", "1.9", "1.10"]
    assert refs("ordering=-reference") == ["1.10", "1.9", "1.2", "1.1"]
    assert [a.reference for a in Action.objects.all()] == ["1.1", "1.2", "1.9", "1.10"]


def test_dashboard_lists_sort_references_as_people_read_them(plan, theme, officer):
    from actionplan import figures
    from core.quarters import Quarter

    for reference in ("1.10", "1.2"):
        # Same due date and theme: the reference decides.
        ActionFactory(
            plan=plan,
            theme=theme,
            lead_officer=officer,
            reference=reference,
            due_date=datetime.date(2022, 9, 30),
        )
    picture = figures.summary(plan, Quarter(2022, 3))
    assert [line.reference for line in picture.overdue] == ["1.2", "1.10"]
