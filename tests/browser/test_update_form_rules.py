"""The update form in a real browser: every error in one summary, only open quarters offered,
and an action whose plan takes no updates says why instead of offering the button."""

import os

import pytest

from actionplan.factories import UpdateFactory
from actionplan.models import ActionPlan, QuarterLock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set to a folder to keep screenshots of what the officer sees (for review, not asserted).
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture
def reported(action):
    UpdateFactory(action=action, period=20222, commentary="Half the laptops are out.")
    return action


def shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_every_error_is_listed_at_once_and_answers_are_kept(
    page, sign_in, assert_accessible, officer, reported
):
    QuarterLock.objects.create(period=20222)
    sign_in(officer)
    page.goto(f"/actions/{reported.pk}/update/")
    quarters = page.locator("input[name=quarter]")
    labels = [
        page.locator(f"label[for={quarters.nth(i).get_attribute('id')}]").inner_text() for i in range(2)
    ]
    assert quarters.count() == 2
    assert [label.split(" (")[0] for label in labels] == ["2022/23 Q3", "2022/23 Q4"]  # oldest first
    assert page.locator("input[name=quarter]:checked").get_attribute("value") == "20223"

    page.locator("#id_rag_3").check()  # Red, without commentary
    page.locator("#id_percent_complete").fill("lots")
    page.locator("#id_next_steps").fill("Chase the supplier.")
    page.locator("#id_revised_due_date_0").fill("30")
    page.locator("#id_revised_due_date_1").fill("6")
    page.locator("#id_revised_due_date_2").fill("2023")
    with page.expect_navigation():
        page.get_by_role("button", name="Save update").click()

    items = page.locator(".govuk-error-summary__list li").all_inner_texts()
    assert items == [
        "Enter the percentage complete as a whole number, like 40",
        "Enter commentary explaining why the action is amber or red.",
        "Enter the reason the due date has changed.",
    ]
    assert page.locator("#id_rag_3").is_checked()
    assert page.locator("#id_percent_complete").input_value() == "lots"
    assert page.locator("#id_next_steps").input_value() == "Chase the supplier."
    assert page.locator("#id_revised_due_date_0").input_value() == "30"
    shot(page, "update-form-all-errors")
    page.locator(".govuk-error-summary__list a").nth(2).click()
    assert page.evaluate("document.activeElement.id") == "id_revision_reason"
    assert_accessible()
    assert reported.updates.count() == 1


def test_a_closed_plans_action_says_why_it_cannot_be_updated(
    page, sign_in, assert_accessible, officer, reported
):
    ActionPlan.objects.filter(pk=reported.plan_id).update(status=ActionPlan.Status.CLOSED)
    sign_in(officer)
    page.goto(f"/actions/{reported.pk}/")
    assert page.get_by_role("button", name="Update this action").count() == 0
    assert "The 2022/23 action plan is closed: updates can no longer be added." in page.inner_text("main")
    shot(page, "action-page-closed-plan")
    assert_accessible()
    page.goto(f"/actions/{reported.pk}/update/")
    assert page.locator("h1").inner_text() == "This action cannot be updated now"
    assert page.locator("form button[name=save]").count() == 0
    assert_accessible()
