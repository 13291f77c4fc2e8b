""" "Remind everyone missing an update": a confirmation page, then one e-mail per officer."""

import pytest
from django.core import mail
from django.utils.html import escape

from actionplan.factories import ActionFactory
from reminders.models import Reminder

pytestmark = pytest.mark.django_db

PAGE = "/reminders/missing/remind-everyone/"


@pytest.fixture
def missing(plan, theme, officer, colleague):
    return [
        ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="1.1", title="Roll out Teams"),
        ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="1.2", title="New laptops"),
        ActionFactory(plan=plan, theme=theme, lead_officer=colleague, reference="2.1", title="Deploy MFA"),
    ]


def test_the_missing_updates_page_links_to_the_confirmation(client, administrator, missing):
    client.force_login(administrator)
    html = client.get("/reminders/missing/?quarter=20223").content.decode()
    assert f'href="{PAGE}?quarter=20223"' in html and "Remind everyone missing an update" in html


def test_the_confirmation_says_who_and_sends_nothing(client, administrator, officer, colleague, missing):
    client.force_login(administrator)
    html = client.get(PAGE, {"quarter": 20223}).content.decode()
    assert "Remind 2 officers about 3 missing updates?" in html
    assert escape(officer.display_name) in html and escape(colleague.display_name) in html
    assert "Send 2 reminders" in html
    assert not Reminder.objects.exists() and not mail.outbox


def test_sending_reminds_each_officer_once(
    client, administrator, officer, colleague, missing, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, {"quarter": 20223}, follow=True)
    assert "2 reminders on their way." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([officer.email, colleague.email])
    assert {r.step for r in Reminder.objects.all()} == {"manual"}
    assert Reminder.objects.get(recipient=officer).actions.count() == 2

    # A second submit (a double click, another administrator) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, {"quarter": 20223}, follow=True)
    html = response.content.decode()
    assert "0 reminders on their way. Not sent:" in html and "already been reminded today" in html
    assert len(mail.outbox) == 2 and Reminder.objects.count() == 2
    # ...and the confirmation says so before anyone presses the button.
    assert "Already reminded today" in client.get(PAGE, {"quarter": 20223}).content.decode()


def test_an_officer_without_an_address_is_named_and_skipped(
    client, administrator, officer, colleague, missing, django_capture_on_commit_callbacks
):
    colleague.email = ""
    colleague.save()
    client.force_login(administrator)
    html = client.get(PAGE, {"quarter": 20223}).content.decode()
    assert "No email address, so no reminder" in html and "Send 1 reminder<" in html.replace("\n", "")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PAGE, {"quarter": 20223})
    assert [m.to[0] for m in mail.outbox] == [officer.email]


def test_a_locked_quarter_is_refused_and_changes_nothing(client, administrator, missing, settings):
    from actionplan.models import QuarterLock

    QuarterLock.objects.create(period=20223, locked_by=administrator)
    client.force_login(administrator)
    assert "You cannot send reminders for 2022/23 Q3" in client.get(PAGE, {"quarter": 20223}).content.decode()
    response = client.post(PAGE, {"quarter": 20223}, follow=True)
    assert "is locked" in response.content.decode()
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("quarter", ["", "x", "20991"])
def test_bad_input_changes_nothing(client, administrator, missing, quarter):
    client.force_login(administrator)
    response = client.post(PAGE, {"quarter": quarter}, follow=True)
    assert "Choose a quarter of the strategy" in response.content.decode()
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("person", ["officer", "councillor", "colleague"])
def test_only_administrators_remind_everyone(client, request, missing, person):
    client.force_login(request.getfixturevalue(person))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"quarter": 20223}).status_code == 403
    assert not Reminder.objects.exists()
