"""The officer's reminders page, the missing-updates page and "remind now"."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from actionplan.factories import ActionFactory, UpdateFactory
from reminders.models import Reminder

pytestmark = pytest.mark.django_db


MISSING = "/reminders/missing/"
REMIND = "/reminders/missing/remind/"


@pytest.fixture
def missing(plan, theme, officer, colleague):
    return [
        ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="1.1", title="Roll out Teams"),
        ActionFactory(plan=plan, theme=theme, lead_officer=colleague, reference="2.1", title="Deploy MFA"),
    ]


@pytest.mark.parametrize(
    "person, mine, missing_page",
    [
        ("administrator", 200, 200),
        ("officer", 200, 403),
        ("councillor", 200, 403),
        ("board_member", 200, 403),
        ("stranger", 403, 403),
    ],
)
def test_who_sees_which_page(client, request, missing, person, mine, missing_page):
    client.force_login(request.getfixturevalue(person))
    assert client.get("/reminders/").status_code == mine
    assert client.get(MISSING).status_code == missing_page


def test_anonymous_is_sent_to_sign_in(client):
    for path in ("/reminders/", MISSING):
        assert "/login/" in client.get(path)["Location"]


def test_officer_sees_calendar_own_missing_updates_and_reminders(client, officer, missing):
    client.force_login(officer)
    html = client.get("/reminders/").content.decode()
    assert "Monday 16 January 2023" in html and "Tuesday 17 January 2023" in html
    assert f'href="/actions/{missing[0].pk}/update/"' in html
    assert "Deploy MFA" not in html
    assert "The portal has not sent you any reminders" in html


def test_missing_page_lists_each_officer_with_a_remind_button(client, administrator, missing, officer):
    UpdateFactory(action=missing[1], period=20223)
    client.force_login(administrator)
    html = client.get(MISSING).content.decode()
    assert "1 of 2 updates received" in html
    assert escape(officer.display_name) in html and "Roll out Teams" in html
    assert "Deploy MFA" not in html
    assert f"Remind {escape(officer.display_name)} now" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_remind_button_shows_a_name_with_markup_as_text(client, administrator, missing, officer):
    officer.last_name = "O'Neill<img src=x onerror=alert(1)>"
    officer.save()
    client.force_login(administrator)
    html = client.get(MISSING).content.decode()
    assert "<img src=x" not in html
    assert f"Remind {escape(officer.display_name)} now" in html


def test_missing_page_for_another_quarter(client, administrator, missing):
    client.force_login(administrator)
    html = client.get(MISSING, {"quarter": "20222"}).content.decode()
    assert "2022/23 Q2" in html and "Roll out Teams" in html


def test_missing_page_queries_do_not_grow_with_officers(client, administrator, plan, theme, missing):
    client.force_login(administrator)
    client.get(MISSING)
    with CaptureQueriesContext(connection) as few:
        client.get(MISSING)
    for n in range(5):
        ActionFactory(plan=plan, theme=theme, reference=f"3.{n}")
    with CaptureQueriesContext(connection) as many:
        client.get(MISSING)
    assert len(many) == len(few)


def test_remind_now_sends_one_email_once_a_day(
    client, administrator, officer, missing, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    form = {"officer": officer.pk, "quarter": 20223}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REMIND, form, follow=True)
    assert "Reminder on its way to" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == [officer.email]
    assert "Reminder: your 2022/23 Q3 updates are overdue" == message.subject
    assert administrator.display_name in message.body
    reminder = Reminder.objects.get()
    assert (reminder.step, reminder.state, reminder.requested_by) == ("manual", "sent", administrator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REMIND, form, follow=True)
    assert "already been reminded today" in response.content.decode()
    assert len(mail.outbox) == 1


def test_remind_now_refuses_an_officer_with_nothing_missing(client, administrator, colleague, missing):
    UpdateFactory(action=missing[1], period=20223)
    client.force_login(administrator)
    response = client.post(REMIND, {"officer": colleague.pk, "quarter": 20223}, follow=True)
    assert "has no missing updates for 2022/23 Q3" in response.content.decode()
    assert not Reminder.objects.exists()


def test_remind_now_with_bad_input_changes_nothing(client, administrator, missing):
    client.force_login(administrator)
    response = client.post(REMIND, {"officer": "nobody", "quarter": "x"}, follow=True)
    assert "Choose an officer and a quarter" in response.content.decode()
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("person", ["officer", "councillor", "colleague"])
def test_only_administrators_remind(client, request, officer, missing, person):
    client.force_login(request.getfixturevalue(person))
    assert client.post(REMIND, {"officer": officer.pk, "quarter": 20223}).status_code == 403
    assert not Reminder.objects.exists()


def test_remind_now_needs_post_and_csrf(administrator, officer, missing):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    assert client.get(REMIND).status_code == 405
    assert client.post(REMIND, {"officer": officer.pk, "quarter": 20223}).status_code == 403
    assert not Reminder.objects.exists()


def _render_summary(user, **extra):
    request = RequestFactory().get("/")
    request.user = user
    template = Template('{% include "reminders/includes/calendar_summary.html" %}')
    return " ".join(template.render(Context({"request": request, **extra})).split())


def test_calendar_summary_include(administrator, officer, missing):
    UpdateFactory(action=missing[1], period=20223)
    html = _render_summary(administrator)
    assert "2022/23 Q3 updates due by 16 January</strong>; 1 of 2 received." in html
    assert "Board report 17 January 2023" in html


def test_calendar_summary_include_for_my_actions(officer, missing, settings):
    settings.PORTAL_TODAY = datetime.date(2023, 1, 20).isoformat()
    html = _render_summary(officer, mine=True)
    assert "2022/23 Q3 updates were due by 16 January</strong>; 0 of your 1 received." in html


def test_dashboard_and_my_actions_show_the_calendar_line(client, officer, missing):
    client.force_login(officer)
    dashboard = " ".join(client.get("/").content.decode().split())
    assert "2022/23 Q3 updates due by 16 January</strong>; 0 of 2 received." in dashboard
    mine = " ".join(client.get("/actions/mine/").content.decode().split())
    assert "2022/23 Q3 updates due by 16 January</strong>; 0 of your 1 received." in mine


def test_calendar_line_costs_three_queries_then_two(administrator, missing, django_assert_num_queries):
    # The strategy, the data fingerprint and the returns; then the returns come from the cache.
    with django_assert_num_queries(3):
        first = _render_summary(administrator)
    with django_assert_num_queries(2):
        assert _render_summary(administrator) == first


def test_calendar_line_counts_a_new_update_at_once(administrator, missing):
    assert "0 of 2 received" in _render_summary(administrator)
    UpdateFactory(action=missing[1], period=20223)
    assert "1 of 2 received" in _render_summary(administrator)


def test_in_april_my_actions_and_its_calendar_line_speak_of_last_years_q4(client, settings, officer, missing):
    """The reporting quarter is 2022/23 Q4: My actions lists the plan it belongs to, not the
    new year's draft, and its count of updates due agrees with the calendar line's."""
    from actionplan.factories import PlanFactory
    from actionplan.models import ActionPlan

    draft = PlanFactory(strategy=missing[0].plan.strategy, year=2023, status=ActionPlan.Status.DRAFT)
    ActionFactory(
        plan=draft, theme=missing[0].theme, lead_officer=officer, reference="1.1", title="Next year"
    )
    settings.PORTAL_TODAY = "2023-04-12"
    client.force_login(officer)
    mine = " ".join(client.get("/actions/mine/").content.decode().split())
    assert "2022/23 Q4 updates due by 18 April</strong>; 0 of your 1 received." in mine
    assert "1 needs an update for 2022/23 Q4" in mine
    assert "Roll out Teams" in mine and "Next year</a>" not in mine
