import datetime

import pytest
from django.utils import timezone

from actionplan.factories import ActionFactory, UpdateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history(plan, theme, officer, maidstone, swale):
    """A few actions with a year of updates: every section of the dashboard has rows."""
    when = timezone.make_aware(datetime.datetime(2022, 10, 5, 9))
    for n, rag in enumerate(["green", "amber", "red", "green"]):
        action = ActionFactory(
            plan=plan,
            theme=theme,
            lead_officer=officer,
            partners=[maidstone, swale],
            due_date=datetime.date(2022, 9, 30),
        )
        UpdateFactory(action=action, period=20221, rag="green", percent_complete=20, created_at=when)
        UpdateFactory(
            action=action,
            period=20222,
            rag=rag,
            commentary="Waiting on the supplier",
            percent_complete=40 + n,
            revised_due_date=datetime.date(2023, 3, 31) if rag == "amber" else None,
            revision_reason="Funding" if rag == "amber" else "",
            created_at=when,
        )
        UpdateFactory(
            action=action, partner=swale, period=20222, rag="red", commentary="Swale's site", created_at=when
        )


@pytest.mark.parametrize(
    "query", ["", "?as_at=20222", "?partner=swale", "?partner=swale&as_at=20221&theme=1"]
)
def test_dashboard_has_no_axe_violations(page, sign_in, assert_accessible, councillor, history, query):
    sign_in(councillor)
    page.goto(f"/{query}")
    assert page.get_by_role("heading", name="How these figures are calculated").is_visible()
    for summary in page.locator("details summary").all():
        summary.click()  # open the filters and every list of changes
    assert_accessible()


def test_dashboard_errors_have_no_axe_violations(page, sign_in, assert_accessible, councillor, history):
    sign_in(councillor)
    page.goto("/?as_at=20304&partner=atlantis")
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible()


def test_filters_work_by_keyboard(page, sign_in, councillor, history):
    sign_in(councillor)
    page.goto("/")
    page.get_by_text("Change year, quarter, theme or partner").click()
    page.get_by_label("As at", exact=True).select_option(label="2022/23 Q2")
    page.get_by_label("Partner", exact=True).select_option(label="Swale Borough Council")
    page.get_by_label("Partner", exact=True).focus()
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "as_at=20222" in page.url and "partner=swale" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Action plan 2022/23: Swale Borough Council"


def test_charts_are_images_with_names(page, sign_in, councillor, history):
    sign_in(councillor)
    page.goto("/?as_at=20222")
    images = page.get_by_role("img")
    names = [images.nth(i).get_attribute("aria-labelledby") for i in range(images.count())]
    assert len([n for n in names if n and n.startswith("chart-")]) == 5
