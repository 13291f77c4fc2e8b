"""The /reports/ pages: who may do what, and what they see."""

import pytest
from django.core import mail

from core.quarters import Quarter
from reporting import services
from reporting.factories import RecipientFactory
from reporting.models import BoardReport
from themes.factories import ThemeFactory

# Tests of the pages, not the PDF: a stand-in renderer (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdf")]
Q3 = Quarter(2022, 3)


@pytest.fixture
def ready(strategy, theme, action, administrator):
    RecipientFactory(name="Margaret Ellis", email="chair@board.example.org")
    return services.report_run_now(quarter=Q3, user=administrator)


@pytest.fixture
def failed(ready):
    BoardReport.objects.filter(pk=ready.pk).update(state="failed", error="SMTP server down")
    return ready


READERS = ["officer", "councillor", "board_member", "administrator"]
EVERYONE = [*READERS, "stranger"]


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("page", ["list", "detail", "download"])
def test_every_role_reads_and_downloads_strangers_do_not(client, request, ready, who, page):
    client.force_login(request.getfixturevalue(who))
    url = {
        "list": "/reports/",
        "detail": f"/reports/{ready.pk}/",
        "download": f"/reports/{ready.pk}/download/",
    }
    response = client.get(url[page])
    assert response.status_code == (403 if who == "stranger" else 200)
    if page == "download" and who != "stranger":
        assert response["Content-Type"] == "application/pdf"
        assert 'filename="board-report-2022-23-q3.pdf"' in response["Content-Disposition"]
        assert b"".join(response.streaming_content).startswith(b"%PDF")


ADMIN_ONLY = [
    ("get", "/reports/request/"),
    ("post", "/reports/request/"),
    ("get", "/reports/{pk}/preview/"),
    ("post", "/reports/{pk}/send/"),
    ("post", "/reports/{pk}/retry/"),
]


@pytest.mark.parametrize("who", ["officer", "councillor", "board_member", "stranger"])
@pytest.mark.parametrize("method,path", ADMIN_ONLY)
def test_only_administrators_request_preview_send_and_retry(client, request, failed, who, method, path):
    client.force_login(request.getfixturevalue(who))
    response = getattr(client, method)(path.format(pk=failed.pk), {"quarter": Q3.code})
    assert response.status_code == 403
    assert BoardReport.objects.count() == 1 and mail.outbox == []
    failed.refresh_from_db()
    assert failed.state == "failed"


@pytest.mark.parametrize("path", ["/reports/", "/reports/1/", "/reports/1/download/", "/reports/request/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_shows_state_download_and_deliveries(client, board_member, ready, administrator):
    services.report_send(report_id=ready.pk)
    client.force_login(board_member)
    html = client.get("/reports/").content.decode()
    assert "2022/23 Q3" in html and "Sent" in html
    assert f"/reports/{ready.pk}/download/" in html
    # How many were sent, not to whom: the names are for administrators (security review, finding 7).
    assert "1 of 1 recipient" in html and "Margaret Ellis" not in html
    assert "Request a report" not in html  # not an administrator
    client.force_login(administrator)
    assert "Margaret Ellis: sent" in client.get("/reports/").content.decode()


def test_list_query_count_does_not_grow_with_reports(
    client, board_member, ready, django_assert_max_num_queries
):
    client.force_login(board_member)
    with django_assert_max_num_queries(12) as few:
        client.get("/reports/")
    for _ in range(5):
        BoardReport.objects.create(strategy=ready.strategy, period=Q3.code)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/reports/")


def test_administrator_requests_a_report(
    client, administrator, strategy, theme, action, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    page = client.get("/reports/request/").content.decode()
    assert 'name="quarter"' in page and "2022/23 Q3" in page and "2023/24 Q1" not in page
    assert 'name="send"' not in page  # no one-click send: sending is confirmed on its own page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/request/", {"quarter": Q3.code})
    report = BoardReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    report.refresh_from_db()
    assert report.state == "ready" and report.requested_by == administrator  # eager: built already
    detail = client.get(response["Location"]).content.decode()
    assert "Send to the board" in detail and "Preview the report" in detail


def test_a_bad_quarter_is_refused_with_a_message(client, administrator, strategy, theme):
    client.force_login(administrator)
    response = client.post("/reports/request/", {"quarter": "20241"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Choose a quarter from the list" in html
    assert not BoardReport.objects.exists()


def test_administrator_previews_sends_and_retries(
    client, administrator, failed, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    preview = client.get(f"/reports/{failed.pk}/preview/")
    assert preview.status_code == 200 and b"Executive summary" in preview.content
    assert b"/static/reporting/report.css" in preview.content and b"<style>" not in preview.content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/{failed.pk}/retry/")
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == "ready"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/{failed.pk}/send/", {"confirm": "on"}, follow=True)
    failed.refresh_from_db()
    assert failed.state == "sent" and len(mail.outbox) == 1
    assert "is being sent to the board" in response.content.decode()
    again = client.post(f"/reports/{failed.pk}/send/", {"confirm": "on"}, follow=True)
    assert "Only a ready report can be sent" in again.content.decode() and len(mail.outbox) == 1


def test_commentary_is_escaped_in_the_preview(client, administrator, ready, action):
    from actionplan.factories import UpdateFactory

    UpdateFactory(action=action, period=Q3.code, rag="red", commentary="<script>alert(1)</script>")
    client.force_login(administrator)
    html = client.get(f"/reports/{ready.pk}/preview/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_every_theme_appears_even_without_actions(client, administrator, ready, strategy):
    ThemeFactory(strategy=strategy, number=6, title="Innovation")
    client.force_login(administrator)
    html = client.get(f"/reports/{ready.pk}/preview/").content.decode()
    assert "Theme 6: Innovation" in html and "No actions under this theme" in html
