"""The guarded send and reopening: a report goes to the board only once confirmed, and the
latest locked quarter can be reopened, with a reason, superseding the report that was sent."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import escape

from actionplan import selectors as action_selectors
from actionplan import services as plan_services
from actionplan import window
from actionplan.models import QuarterLock
from core.quarters import Quarter
from reporting import selectors, services
from reporting.factories import RecipientFactory, quarter_story
from reporting.models import BoardReport
from tests.conftest import add_update

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdf")]
Q2, Q3, Q4 = Quarter(2022, 2), Quarter(2022, 3), Quarter(2022, 4)
REASON = "Action 3.1's Q3 update was entered against 3.2 by mistake."


@pytest.fixture
def story(strategy, officer, colleague, maidstone, swale):
    RecipientFactory(name="Margaret Ellis", email="chair@board.example.org", role="Board chair")
    RecipientFactory(name="Tom Okafor", email="tom@board.example.org")
    return quarter_story(strategy=strategy, officer=officer, colleague=colleague, partners=[maidstone, swale])


@pytest.fixture
def ready(story, administrator):
    report = services.report_run_now(quarter=Q3, user=administrator)
    assert report.state == "ready", report.error
    return report


def send(client, report, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/reports/{report.pk}/send/", data)


@pytest.fixture
def sent(client, administrator, ready, django_capture_on_commit_callbacks):
    client.force_login(administrator)
    send(client, ready, django_capture_on_commit_callbacks, confirm="on")
    ready.refresh_from_db()
    assert ready.state == "sent" and len(mail.outbox) == 2
    mail.outbox.clear()
    return ready


# --- the confirmation page ----------------------------------------------------


def test_confirmation_page_shows_the_quarter_recipients_and_missing_updates_by_officer(
    client, administrator, ready, story, officer, colleague
):
    client.force_login(administrator)
    response = client.get(f"/reports/{ready.pk}/send/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Check and send the 2022/23 Q3 board report" in html
    assert "Margaret Ellis, Board chair (chair@board.example.org)" in html and "Tom Okafor" in html
    received, expected = action_selectors.update_returns(quarter=Q3, strategy=ready.strategy)
    assert expected - received == 3
    assert f"{received} of {expected} overall updates for 2022/23 Q3" in html
    assert "3 of" in html and "are still missing" in html
    # The officer owes 3.1, 4.1 and 6.1 (6.1's Q3 update is for one council only);
    # the colleague's updates are all in, so they are not named.
    rows = response.context["checklist"].missing_by_officer
    assert [(o, [a.reference for a in acts]) for o, acts in rows] == [(officer, ["3.1", "4.1", "6.1"])]
    assert escape(officer.display_name) in html and escape(colleague.display_name) not in html
    for reference in ("3.1", "4.1", "6.1"):
        assert f'<a class="govuk-link" href="/actions/{story[reference].pk}/">{reference} ' in html
    assert "I have checked the report and want to send it and lock 2022/23 Q3" in html
    assert "no more updates can be added for it or any earlier quarter" in html
    assert "reopen 2022/23 Q3 later, with a reason" in html


def test_the_report_page_links_to_the_confirmation_page_instead_of_sending(client, administrator, ready):
    client.force_login(administrator)
    html = client.get(f"/reports/{ready.pk}/").content.decode()
    assert f'href="/reports/{ready.pk}/send/" role="button"' in html
    assert f'action="/reports/{ready.pk}/send/"' not in html


def test_posting_without_the_confirmation_changes_nothing(
    client, administrator, ready, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    response = send(client, ready, django_capture_on_commit_callbacks)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and services.SEND_NOT_CONFIRMED in html
    assert html.count(services.SEND_NOT_CONFIRMED) == 2  # the summary and the field
    ready.refresh_from_db()
    assert ready.state == "ready" and ready.sent_by is None and not ready.deliveries.exists()
    assert not QuarterLock.objects.exists() and mail.outbox == []


def test_posting_with_the_confirmation_sends_and_locks(
    client, administrator, ready, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    response = send(client, ready, django_capture_on_commit_callbacks, confirm="on")
    assert response.status_code == 302 and response["Location"] == f"/reports/{ready.pk}/"
    ready.refresh_from_db()
    assert ready.state == "sent" and ready.sent_by == administrator
    assert sorted(m.to[0] for m in mail.outbox) == [
        "Margaret Ellis <chair@board.example.org>",
        "Tom Okafor <tom@board.example.org>",
    ]
    assert window.locked_up_to() == Q3


def test_the_service_refuses_an_unconfirmed_send(ready, administrator):
    with pytest.raises(ValidationError) as refused:
        services.report_send_request(report=ready, user=administrator, confirmed=False)
    assert refused.value.message_dict == {"confirm": [services.SEND_NOT_CONFIRMED]}
    ready.refresh_from_db()
    assert ready.state == "ready" and not ready.send_when_built


@pytest.mark.parametrize("who", ["officer", "councillor", "board_member"])
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("page", ["send", "reopen"])
def test_only_administrators_send_and_reopen(
    client, request, administrator, sent, who, method, page, django_capture_on_commit_callbacks
):
    # The send page for a ready Q4 report; the reopen page for the sent Q3 one.
    target = services.report_run_now(quarter=Q4, user=administrator) if page == "send" else sent
    client.force_login(request.getfixturevalue(who))
    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(client, method)(
            f"/reports/{target.pk}/{page}/", {"confirm": "on", "reason": REASON}
        )
    assert response.status_code == 403
    assert mail.outbox == [] and window.locked_up_to() == Q3
    target.refresh_from_db()
    assert target.state == ("ready" if page == "send" else "sent") and not target.is_superseded


def test_a_quarter_already_sent_is_not_sent_again_from_another_report(
    client, administrator, sent, django_capture_on_commit_callbacks
):
    another = services.report_run_now(quarter=Q3, user=administrator)
    assert another.state == "ready" and another.version == 1
    response = client.get(f"/reports/{another.pk}/send/", follow=True)
    assert "has already gone to the board" in response.content.decode()
    send(client, another, django_capture_on_commit_callbacks, confirm="on")
    another.refresh_from_db()
    assert another.state == "ready" and mail.outbox == []
    # Asked to send when built (the request form, the API, the command): it fails, visibly.
    again = services.report_run_now(quarter=Q3, user=administrator, send=True)
    assert again.state == "failed" and "has already gone to the board" in again.error
    assert mail.outbox == []


# --- reopening ----------------------------------------------------------------


def test_the_sent_reports_page_offers_reopening_the_latest_locked_quarter(client, administrator, sent):
    html = client.get(f"/reports/{sent.pk}/").content.decode()
    assert f'href="/reports/{sent.pk}/reopen/"' in html and "Reopen 2022/23 Q3" in html
    page = client.get(f"/reports/{sent.pk}/reopen/")
    assert page.status_code == 200 and "Why is 2022/23 Q3 being reopened?" in page.content.decode()


def test_reopening_needs_a_reason(client, administrator, sent):
    response = client.post(f"/reports/{sent.pk}/reopen/", {"reason": "   "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Enter why 2022/23 Q3 is being reopened" in html
    assert window.locked_up_to() == Q3
    sent.refresh_from_db()
    assert not sent.is_superseded
    with pytest.raises(ValidationError) as refused:
        plan_services.quarter_reopen(quarter=Q3, user=administrator, reason="")
    assert refused.value.message_dict == {"reason": ["Enter why 2022/23 Q3 is being reopened."]}


def test_only_the_latest_locked_quarter_can_be_reopened(administrator, sent):
    plan_services.quarter_lock(quarter=Q2, user=administrator)
    with pytest.raises(ValidationError) as earlier:
        plan_services.quarter_reopen(quarter=Q2, user=administrator, reason=REASON)
    assert earlier.value.message_dict["quarter"] == [
        "Only the latest locked quarter, 2022/23 Q3, can be reopened: "
        "2022/23 Q2 is locked because 2022/23 Q3 is."
    ]
    with pytest.raises(ValidationError) as unlocked:
        plan_services.quarter_reopen(quarter=Q4, user=administrator, reason=REASON)
    assert unlocked.value.message_dict["quarter"] == ["2022/23 Q4 is not locked, so it cannot be reopened."]
    assert window.locked_up_to() == Q3 and QuarterLock.objects.count() == 2


def test_an_earlier_quarters_report_cannot_reopen_it(client, administrator, sent):
    plan_services.quarter_lock(quarter=Q4, user=administrator)
    assert "Only the latest locked quarter, 2022/23 Q4" in services.reopen_refusal(sent)
    html = client.get(f"/reports/{sent.pk}/").content.decode()
    assert "/reopen/" not in html
    response = client.post(f"/reports/{sent.pk}/reopen/", {"reason": REASON}, follow=True)
    assert "Only the latest locked quarter, 2022/23 Q4" in response.content.decode()
    assert window.locked_up_to() == Q4
    sent.refresh_from_db()
    assert not sent.is_superseded


def test_only_administrators_reopen_through_the_services(sent, officer):
    with pytest.raises(PermissionDenied):
        plan_services.quarter_reopen(quarter=Q3, user=officer, reason=REASON)
    with pytest.raises(PermissionDenied):
        services.report_quarter_reopen(report=sent, user=officer, reason=REASON)
    assert window.locked_up_to() == Q3


def test_reopening_supersedes_the_sent_report_and_takes_updates_again(
    client, administrator, sent, story, officer, django_capture_on_commit_callbacks
):
    stored = (sent.pdf.name, sent.sha256, sent.page_count, sent.sent_at)
    deliveries = list(sent.deliveries.values_list("email", "state", "sent_at"))
    with pytest.raises(ValidationError):  # locked: the 3.1 update cannot come
        add_update(story["3.1"], officer, seen_update_id=story["3.1"].latest_update_id)

    response = client.post(f"/reports/{sent.pk}/reopen/", {"reason": REASON}, follow=True)
    assert "2022/23 Q3 has been reopened" in response.content.decode()

    sent.refresh_from_db()
    assert sent.is_superseded and sent.superseded_by == administrator
    assert sent.superseded_reason == REASON and sent.state == "sent"
    assert (sent.pdf.name, sent.sha256, sent.page_count, sent.sent_at) == stored
    assert list(sent.deliveries.values_list("email", "state", "sent_at")) == deliveries
    # Q3 is open again; Q2 and before stay locked (in Q3's place, with its date).
    assert window.locked_up_to() == Q2 and not window.is_quarter_locked(Q3)
    update = add_update(story["3.1"], officer, seen_update_id=story["3.1"].latest_update_id)
    assert update.pk and update.period == Q3.code
    assert not action_selectors.actions_missing_update(quarter=Q3).filter(pk=story["3.1"].pk).exists()

    html = client.get(f"/reports/{sent.pk}/").content.decode()
    assert f"Superseded on {sent.superseded_at:%-d %B %Y} by {escape(administrator.display_name)}" in html
    assert escape(REASON) in html and "/reopen/" not in html
    assert f'href="/reports/{sent.pk}/send/"' not in html

    version_2 = services.report_run_now(quarter=Q3, user=administrator)
    assert version_2.version == 2 and version_2.filename == "board-report-2022-23-q3-version-2.pdf"
    assert services.send_refusal(version_2) == ""
    send(client, version_2, django_capture_on_commit_callbacks, confirm="on")
    version_2.refresh_from_db()
    assert version_2.state == "sent" and len(mail.outbox) == 2
    assert window.locked_up_to() == Q3
    assert version_2.sha256 != sent.sha256  # built from the corrected quarter

    listing = client.get("/reports/").content.decode()
    assert "2022/23 Q3, version 2" in listing and "2022/23 Q3, version 1" in listing
    assert listing.count("Superseded on") == 1


def test_reopening_is_in_the_audit_trail(client, administrator, sent):
    client.post(f"/reports/{sent.pk}/reopen/", {"reason": REASON})
    html = client.get("/audit/").content.decode()
    assert escape(f"Reopened: {REASON}") in html
    assert "Superseded: 2022/23 Q3 reopened" in html
    assert escape("Kept locked when 2022/23 Q3 was reopened") in html
    deletion = QuarterLock.history.filter(period=Q3.code, history_type="-").get()
    assert deletion.history_user == administrator


def test_a_ready_report_waiting_when_the_quarter_is_reopened_becomes_the_next_version(
    client, administrator, sent
):
    waiting = services.report_run_now(quarter=Q3, user=administrator)
    assert waiting.version == 1 and waiting.quarter_locked
    client.post(f"/reports/{sent.pk}/reopen/", {"reason": REASON})
    waiting.refresh_from_db()
    assert waiting.version == 2 and not waiting.quarter_locked and not waiting.is_superseded
    assert services.send_refusal(waiting) == ""


def test_an_earlier_quarters_report_date_survives_reopening(administrator, sent):
    """Q3's lock was all that locked Q2: Q2 stays locked with the same date, so its report
    prints what it always did."""
    before = selectors.report_date(period=Q2.code, requested_at=sent.requested_at)
    services.report_quarter_reopen(report=sent, user=administrator, reason=REASON)
    assert selectors.report_date(period=Q2.code, requested_at=sent.requested_at) == before
    assert window.is_quarter_locked(Q2)


def test_the_schedule_never_sends_a_reopened_quarter_again(administrator, sent):
    services.report_quarter_reopen(report=sent, user=administrator, reason=REASON)
    due_day = datetime.date(2023, 1, 31)
    assert services.report_schedule_due(today=due_day) is None
    assert BoardReport.objects.filter(period=Q3.code).count() == 1 and mail.outbox == []
    version_2 = services.report_run_now(quarter=Q3, user=administrator, send=True)
    assert version_2.state == "sent" and version_2.version == 2 and len(mail.outbox) == 2
    assert services.report_schedule_due(today=due_day) is None
    # The board is told it is a replacement, in the e-mail and on the PDF's cover.
    message = mail.outbox[-1]
    assert "(version 2, replacing the earlier one)" in message.subject
    assert "This is version 2" in message.body
    assert "replaces it</dd>" in services.report_html(version_2)


def test_a_superseded_report_is_not_retried_or_reopened_again(administrator, sent):
    services.report_quarter_reopen(report=sent, user=administrator, reason=REASON)
    sent.refresh_from_db()
    assert "has been reopened already" in services.reopen_refusal(sent)
    BoardReport.objects.filter(pk=sent.pk).update(state="failed")
    sent.refresh_from_db()
    with pytest.raises(ValidationError, match="superseded"):
        services.report_retry(report=sent, user=administrator)


# --- only past or current quarters ---------------------------------------------


def test_only_past_or_current_quarters_are_offered_or_accepted(client, administrator, strategy, theme):
    client.force_login(administrator)
    response = client.get("/reports/request/")
    offered = [code for code, _ in response.context["form"].fields["quarter"].choices]
    assert offered[0] == Q4.code  # 16 January 2023 is in 2022/23 Q4, the current quarter
    assert all(code <= Q4.code for code in offered) and Quarter(2019, 1).code in offered
    future = Quarter(2023, 1)
    response = client.post("/reports/request/", {"quarter": future.code})
    assert "Choose a quarter from the list" in response.content.decode()
    assert not BoardReport.objects.exists()
    with pytest.raises(ValidationError, match="has not started yet"):
        services.report_request(quarter=future, user=administrator, strategy=strategy)
    assert not BoardReport.objects.exists()
