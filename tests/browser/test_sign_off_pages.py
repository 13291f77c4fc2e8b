"""The sign-off queue in a real browser: approve several by keyboard alone, return one
with a reason (the error summary first when the reason is left out), axe-clean."""

import pytest

from accounts import roles
from accounts.factories import UserFactory
from actionplan.factories import ActionFactory, UpdateFactory
from actionplan.models import ProgressUpdate
from tests.browser.test_report_send import tab_to
from tests.conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def approver(theme):
    user = UserFactory(username="manager", role=roles.APPROVER)
    theme.approvers.add(user)
    return user


@pytest.fixture
def submitted(strategy, plan, theme, officer):
    strategy.updates_need_sign_off = True
    strategy.save()
    updates = []
    for n, rag in enumerate(["green", "amber", "red"], start=1):
        action = ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference=f"1.{n}")
        UpdateFactory(
            action=action, period=20222, rag="green", percent_complete=30, created_at=at(2022, 10, 3)
        )
        updates.append(
            UpdateFactory(
                action=action, period=20223, rag=rag, percent_complete=50, needs_sign_off=True,
                commentary="" if rag == "green" else "The supplier is late.", created_at=at(2023, 1, 5),
            )
        )  # fmt: skip
    return updates


def test_approve_two_by_keyboard_and_return_one(page, sign_in, approver, submitted, assert_accessible):
    first, second, third = submitted
    sign_in(approver)
    page.goto("/approvals/")
    assert page.get_by_text("3 updates await your sign-off").is_visible()
    assert page.get_by_role("heading", name="Theme 1: Modern workforce").is_visible()
    assert_accessible()

    # Tab to each checkbox and tick it with Space, then Enter on the button.
    for update in (first, second):
        tab_to(page, f"#update-{update.pk}")
        page.keyboard.press("Space")
    tab_to(page, "#approve-selected")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("2 updates approved: they now count.").is_visible()
    assert [ProgressUpdate.objects.get(pk=u.pk).sign_off_state for u in submitted] == [
        "counted", "counted", "pending",
    ]  # fmt: skip
    assert_accessible()

    # Return the third: no reason first, then one.
    tab_to(page, f'a[href="/approvals/{third.pk}/return/"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible()
    tab_to(page, 'button[name="submit"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible() and "Say why you are returning it" in summary.inner_text()
    assert_accessible()
    tab_to(page, "#id_reason")
    page.keyboard.type("Give the supplier's new delivery date.")
    tab_to(page, 'button[name="submit"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Nothing awaits your sign-off.").is_visible()
    assert ProgressUpdate.objects.get(pk=third.pk).sign_off_state == "returned"
