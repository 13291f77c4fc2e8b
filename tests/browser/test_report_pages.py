"""The board report pages in a real browser: requested by keyboard, no axe violations."""

import pytest

from reporting.factories import RecipientFactory, quarter_story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def story(strategy, officer, colleague, maidstone, swale):
    RecipientFactory(name="Margaret Ellis", email="chair@board.example.org")
    return quarter_story(strategy=strategy, officer=officer, colleague=colleague, partners=[maidstone, swale])


def test_administrator_requests_previews_and_sends(page, sign_in, administrator, story, assert_accessible):
    sign_in(administrator)
    page.goto("/reports/")
    assert_accessible()
    page.get_by_role("button", name="Request a report").click()
    page.wait_for_url("**/reports/request/")
    assert_accessible()
    page.select_option("#id_quarter", label="2022/23 Q3")
    with page.expect_navigation():
        page.get_by_role("button", name="Request the report").press("Enter")
    assert page.get_by_text("The 2022/23 Q3 report has been requested.").is_visible()
    assert page.locator(".govuk-summary-list .govuk-tag").inner_text() == "Ready"
    assert_accessible()
    page.get_by_role("link", name="Preview the report as a web page").click()
    assert page.get_by_role("heading", name="1. Executive summary").is_visible()
    assert_accessible()


def test_board_member_sees_reports_without_admin_buttons(
    page, sign_in, board_member, story, assert_accessible
):
    sign_in(board_member)
    page.goto("/reports/")
    assert page.get_by_role("heading", name="Board reports").is_visible()
    assert page.get_by_role("button", name="Request a report").count() == 0
    assert_accessible()
