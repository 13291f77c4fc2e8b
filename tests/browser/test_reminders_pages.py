"""The reminders pages in a real browser: axe-core clean, and "remind now" by keyboard."""

import pytest
from django.core import mail

from actionplan.factories import ActionFactory, UpdateFactory
from reminders.models import Reminder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def missing(plan, theme, officer, colleague):
    ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="1.1", title="Roll out Teams")
    done = ActionFactory(plan=plan, theme=theme, lead_officer=colleague, reference="2.1", title="Deploy MFA")
    UpdateFactory(action=done, period=20223)


def test_my_reminders_is_accessible(page, sign_in, assert_accessible, officer, missing):
    sign_in(officer)
    page.goto("/reminders/")
    assert page.get_by_role("heading", name="Your reminders").is_visible()
    assert page.get_by_role("link", name="Update 1.1 Roll out Teams").is_visible()
    assert_accessible()


def test_missing_updates_and_remind_now_by_keyboard(
    page, sign_in, assert_accessible, administrator, officer, missing
):
    sign_in(administrator)
    page.goto("/reminders/missing/")
    assert page.get_by_text("1 of 2 updates received").is_visible()
    assert_accessible()

    page.get_by_role("button", name=f"Remind {officer.display_name} now").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text(f"Reminder on its way to {officer.display_name}").is_visible()
    assert Reminder.objects.get().state == Reminder.State.SENT
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert_accessible()
