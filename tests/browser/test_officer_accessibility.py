"""axe-core finds nothing wrong on the officer's pages, errors included."""

import datetime

import pytest

from actionplan.factories import ActionFactory, UpdateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slipped(action, administrator, swale):
    UpdateFactory(action=action, period=20221, commentary="Started <em>well</em>.")
    UpdateFactory(action=action, period=20222, partner=swale, rag="red", commentary="Swale is behind.")
    UpdateFactory(
        action=action,
        period=20222,
        author=administrator,
        rag="amber",
        commentary="Slipped a quarter.",
        revised_due_date=datetime.date(2023, 6, 30),
        revision_reason="Supplier late.",
    )
    for n in range(3):
        ActionFactory(
            plan=action.plan, theme=action.theme, lead_officer=action.lead_officer, reference=f"1.{n + 2}"
        )
    return action


@pytest.mark.parametrize(
    "path", ["/actions/mine/", "/actions/", "/actions/?rag=red&overdue=false&ordering=-due"]
)
def test_lists_have_no_axe_violations(page, sign_in, assert_accessible, officer, slipped, path):
    sign_in(officer)
    page.goto(path)
    assert page.locator("h1").is_visible()
    assert_accessible()


def test_action_page_has_no_axe_violations(page, sign_in, assert_accessible, officer, slipped):
    sign_in(officer)
    page.goto(f"/actions/{slipped.pk}/")
    assert "Update history" in page.content()
    assert_accessible()


def test_update_form_has_no_axe_violations(page, sign_in, assert_accessible, officer, slipped):
    sign_in(officer)
    page.goto(f"/actions/{slipped.pk}/update/")
    page.get_by_label("No, nothing has changed").check()  # reveal the conditional question too
    assert page.locator("#id_no_change_reason").is_visible()
    assert_accessible()


def test_update_form_with_errors_has_no_axe_violations(page, sign_in, assert_accessible, officer, slipped):
    sign_in(officer)
    page.goto(f"/actions/{slipped.pk}/update/")
    page.locator("#id_commentary").fill("")
    page.locator("#id_percent_complete").fill("lots")
    page.locator("#id_revision_reason").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Save update").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.title().startswith("Error:")
    assert_accessible()


@pytest.mark.parametrize("new_plan", ["draft", "approved"])
def test_my_actions_in_a_new_year_has_no_axe_violations(
    page, sign_in, assert_accessible, settings, officer, slipped, new_plan
):
    """April: last year's plan with its Q4 due, and this year's as a note (draft) or rows."""
    from actionplan.factories import PlanFactory

    settings.PORTAL_TODAY = "2023-04-12"
    plan = PlanFactory(strategy=slipped.plan.strategy, year=2023, status=new_plan)
    ActionFactory(plan=plan, theme=slipped.theme, lead_officer=officer, reference="1.1", title="This year's")
    sign_in(officer)
    page.goto("/actions/mine/")
    assert page.get_by_text("need an update for 2022/23 Q4").is_visible()
    if new_plan == "draft":
        assert page.get_by_text("The 2023/24 action plan is still a draft").is_visible()
    else:
        assert page.get_by_role("link", name="1.1 This year's", exact=True).is_visible()
    assert_accessible()
