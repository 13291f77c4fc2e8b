"""Your account, password change and two-factor pages in a real browser: axe-core clean, by keyboard."""

import base64

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW = "a brand new passphrase for spring"


def _code_from_key(typed_key: str, drift: int = 0) -> str:
    """What an authenticator app makes from the key as the page shows it."""
    secret = typed_key.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, drift=drift):06d}"


def test_officer_changes_their_password_by_keyboard(page, sign_in, assert_accessible, officer, plan):
    sign_in(officer)
    page.get_by_role("link", name="Your account").click()
    page.wait_for_url("**/accounts/")
    assert_accessible()
    page.get_by_role("link", name="Change your password").click()
    page.wait_for_url("**/accounts/password/")
    assert_accessible()

    # A weak new password: the errors are listed, linked, and pass axe.
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("password1234")
    page.get_by_label("Confirm new password").fill("password1234")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error: Change your password")
    assert (
        page.locator(".govuk-error-summary")
        .get_by_role("link", name="This password is too common.")
        .is_visible()
    )
    assert_accessible()

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).focus()
    page.keyboard.type(NEW)
    page.keyboard.press("Tab")
    page.keyboard.type(NEW)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Password changed").is_visible()
    assert_accessible()
    officer.refresh_from_db()
    assert officer.check_password(NEW)


def test_administrator_sets_up_two_factor_and_signs_in_with_a_code(
    page, sign_in, assert_accessible, administrator, plan
):
    sign_in(administrator)
    page.goto("/accounts/two-factor/")
    assert_accessible()
    page.get_by_role("button", name="Set up two-factor authentication").click()
    page.wait_for_url("**/accounts/two-factor/set-up/")
    qr = page.get_by_role("img", name="QR code to scan with your authenticator app")
    assert qr.is_visible()
    assert_accessible()

    # Set up with the typed key, as someone who cannot scan would.
    key = page.locator("code").inner_text()
    page.get_by_label("Code from your authenticator app").fill("12345")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error:")
    assert_accessible()
    page.get_by_label("Code from your authenticator app").fill(_code_from_key(key))
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on two-factor authentication").click()
    assert page.get_by_text("Two-factor authentication is on.").is_visible()
    assert TOTPDevice.objects.get(user=administrator).confirmed

    # Next sign-in: the password, then the code, before anything else.
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    sign_in(administrator)
    assert "/accounts/two-factor/verify/" in page.url
    assert page.get_by_role("link", name="Dashboard").count() == 0
    assert_accessible()
    device = TOTPDevice.objects.get(user=administrator)
    right = _code_from_key(key, drift=device.drift + 1)
    page.get_by_label("Code from your authenticator app").fill(f"{(int(right) + 1) % 1_000_000:06d}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible()
    TOTPDevice.objects.filter(user=administrator).update(throttling_failure_timestamp=None)
    # The next time step's code (each code works once), as the app shows it a moment later.
    page.get_by_label("Code from your authenticator app").fill(right)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/")
    assert page.get_by_role("link", name="Dashboard").is_visible()

    page.goto("/accounts/two-factor/remove/")
    assert_accessible()
