"""Keyboard alone: the update form's conditional reveal, a password reset, and "remind everyone".

Every step after the page opens is a key press (Tab, arrows, Enter, typing); nothing
is clicked. Each page on the way is checked with axe-core.
"""

import re

import pytest
from django.core import mail

from accounts.factories import PASSWORD
from actionplan.factories import ActionFactory, UpdateFactory
from reminders.models import Reminder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector: str, *, limit: int = 120, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_the_no_change_reason_is_revealed_and_sent_by_keyboard(
    page, sign_in, assert_accessible, officer, action
):
    UpdateFactory(action=action, period=20222, rag="amber", percent_complete=40, commentary="Supplier late.")
    sign_in(officer)
    page.goto(f"/actions/{action.pk}/update/")
    reason = page.locator("#id_no_change_reason")
    assert not reason.is_visible()  # hidden until "No" is chosen

    tab_to(page, "#id_change_0")  # "Yes, record the new position", chosen already
    page.keyboard.press("ArrowDown")  # to "No, nothing has changed"
    assert page.locator("#id_change_1").is_checked()
    assert reason.is_visible()
    assert_accessible()
    page.keyboard.press("ArrowUp")  # back to "Yes": the question goes again
    assert not reason.is_visible()
    page.keyboard.press("ArrowDown")

    page.keyboard.press("Tab")  # the revealed question comes next in the tab order
    assert page.evaluate("document.activeElement.id") == "id_no_change_reason"
    page.keyboard.type("Still waiting on the supplier's survey.")
    tab_to(page, 'button[name="save"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    latest = action.updates.order_by("-created_at", "-pk").first()
    assert "Still waiting on the supplier's survey." in latest.commentary
    assert (latest.rag, latest.percent_complete) == ("amber", 40)  # the last update's position, kept


def test_a_forgotten_password_is_reset_by_keyboard(page, assert_accessible, officer):
    page.goto("/accounts/login/")
    tab_to(page, 'a[href="/accounts/password/reset/"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Reset your password").is_visible()
    assert_accessible()

    tab_to(page, "#id_email")
    page.keyboard.type(officer.email)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Check your email").is_visible()
    assert_accessible()

    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body).group(0)
    page.goto(link.replace(re.match(r"https?://[^/]+", link).group(0), ""))  # opening the e-mail's link
    assert page.get_by_role("heading", name="Set a new password").is_visible()
    assert_accessible()

    new = "tangerine lighthouse bicycle"
    tab_to(page, "#id_new_password1")
    page.keyboard.type(new)
    page.keyboard.press("Tab")
    page.keyboard.type("something else")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("The new passwords do not match").first.is_visible()  # said, nothing changed
    assert_accessible()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)

    tab_to(page, "#id_new_password1")
    page.keyboard.type(new)
    page.keyboard.press("Tab")
    page.keyboard.type(new)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Password set").is_visible()
    officer.refresh_from_db()
    assert officer.check_password(new)

    # And signing in with it, by keyboard too.
    tab_to(page, 'a[href="/accounts/login/"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "#id_username")
    page.keyboard.type(officer.username)
    page.keyboard.press("Tab")
    page.keyboard.type(new)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("button", name=re.compile("Sign out")).is_visible()


def test_remind_everyone_by_keyboard(
    page, sign_in, assert_accessible, administrator, officer, colleague, plan, theme
):
    ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="1.1", title="Roll out Teams")
    ActionFactory(plan=plan, theme=theme, lead_officer=colleague, reference="2.1", title="Deploy MFA")
    sign_in(administrator)
    page.goto("/reminders/missing/")
    tab_to(page, 'a[href^="/reminders/missing/remind-everyone/"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Remind 2 officers about 2 missing updates?").is_visible()
    assert not mail.outbox  # the confirmation sends nothing
    assert_accessible()

    tab_to(page, 'button[name="send"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("2 reminders on their way.").is_visible()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([officer.email, colleague.email])
    assert set(Reminder.objects.values_list("state", flat=True)) == {Reminder.State.SENT}
    assert_accessible()
