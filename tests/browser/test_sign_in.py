import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_page_has_no_axe_violations(page, assert_accessible):
    page.goto("/accounts/login/")
    assert page.title().startswith("Sign in")
    assert_accessible()


def test_sign_in_errors_have_no_axe_violations(page, assert_accessible):
    page.goto("/accounts/login/")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible()


def test_officer_signs_in_with_the_keyboard(page, officer, plan):
    from accounts.factories import PASSWORD

    page.goto("/accounts/login/")
    page.focus("#id_username")
    page.keyboard.type(officer.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/")
    assert "Sign out" in page.content()
