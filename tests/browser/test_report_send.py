"""The send confirmation and reopen pages in a real browser: keyboard alone, axe-clean,
and the error summary when submitted without the confirmation or the reason."""

import pytest

from actionplan import window
from core.quarters import Quarter
from reporting import services
from reporting.factories import RecipientFactory, quarter_story
from reporting.models import BoardReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Q2, Q3 = Quarter(2022, 2), Quarter(2022, 3)


@pytest.fixture
def ready(strategy, officer, colleague, maidstone, swale, administrator):
    RecipientFactory(name="Margaret Ellis", email="chair@board.example.org")
    quarter_story(strategy=strategy, officer=officer, colleague=colleague, partners=[maidstone, swale])
    return services.report_run_now(quarter=Q3, user=administrator)


def tab_to(page, selector, *, limit=80):
    """Press Tab until `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_send_page_by_keyboard_alone(page, sign_in, administrator, ready, assert_accessible):
    sign_in(administrator)
    page.goto(f"/reports/{ready.pk}/")
    page.get_by_role("button", name="Send to the board (1 recipient)").click()
    page.wait_for_url(f"**/reports/{ready.pk}/send/")
    assert page.get_by_role("heading", name="Check and send the 2022/23 Q3 board report").is_visible()
    assert page.get_by_text("Margaret Ellis").is_visible()
    assert page.get_by_role("link", name="3.1 Action 3.1 of theme 3").is_visible()
    assert_accessible()

    # Unconfirmed: the error summary, and nothing sent.
    tab_to(page, 'button[name="submit"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible() and "Tick the box to confirm" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert_accessible()
    assert BoardReport.objects.get(pk=ready.pk).state == "ready" and window.locked_up_to() is None

    # Tab to the checkbox, Space, Tab to the button, Enter.
    page.goto(f"/reports/{ready.pk}/send/")
    tab_to(page, "#id_confirm")
    page.keyboard.press("Space")
    assert page.is_checked("#id_confirm")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("The 2022/23 Q3 report is being sent to the board.").is_visible()
    assert page.locator(".govuk-summary-list .govuk-tag").inner_text() == "Sent"
    assert window.locked_up_to() == Q3


def test_reopen_form_by_keyboard_alone(page, sign_in, administrator, ready, assert_accessible):
    ready = services.report_send_request(report=ready, user=administrator, confirmed=True)
    assert BoardReport.objects.get(pk=ready.pk).state == "sent"
    sign_in(administrator)
    page.goto(f"/reports/{ready.pk}/")
    assert_accessible()
    page.get_by_role("button", name="Reopen 2022/23 Q3").click()
    page.wait_for_url(f"**/reports/{ready.pk}/reopen/")
    assert_accessible()

    tab_to(page, 'button[name="submit"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible() and "Enter why 2022/23 Q3 is being reopened" in summary.inner_text()
    assert_accessible()
    assert window.locked_up_to() == Q3

    tab_to(page, "#id_reason")
    page.keyboard.type("A Q3 update was entered against the wrong action.")
    tab_to(page, 'button[name="submit"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("2022/23 Q3 has been reopened").is_visible()
    assert page.get_by_text("A Q3 update was entered against the wrong action.").is_visible()
    assert_accessible()
    assert window.locked_up_to() == Q2
    assert BoardReport.objects.get(pk=ready.pk).is_superseded
