"""Security review, findings 5 and 7: private responses are never cached; the API root, the
accessibility statement and the board's addresses follow the same rules as everything else."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.quarters import Quarter
from reporting import services
from reporting.factories import RecipientFactory
from reporting.models import BoardReport, Delivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdf")]

SMTP_ERROR = "550 5.1.1 <chair@board.example.org>: Recipient address rejected"


@pytest.fixture
def report(strategy, theme, action, administrator):
    RecipientFactory(name="Margaret Ellis", email="chair@board.example.org")
    return services.report_run_now(quarter=Quarter(2022, 3), user=administrator)


@pytest.fixture
def failed(report):
    BoardReport.objects.filter(pk=report.pk).update(state="failed", error=SMTP_ERROR)
    Delivery.objects.create(
        report=report,
        name="Margaret Ellis",
        email="chair@board.example.org",
        state="failed",
        error=SMTP_ERROR,
    )
    return report


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


# --- Finding 5: Cache-Control: no-store --------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/actions/",
        "/actions/export.csv",
        "/actions/{action}/",
        "/reports/",
        "/reports/{report}/download/",
    ]
    + ["/reports/{report}/", "/api/v1/actions/", "/accounts/", "/accessibility/"],
)
def test_every_response_to_a_signed_in_user_is_no_store(client, officer, action, report, path):
    client.force_login(officer)
    response = client.get(path.format(action=action.pk, report=report.pk))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_api_token_responses_are_no_store_too(officer, report):
    for path in ("/api/v1/reports/", f"/api/v1/reports/{report.pk}/", "/api/v1/"):
        response = token_client(officer).get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


def test_refusals_to_a_signed_in_user_are_no_store(client, councillor, action):
    client.force_login(councillor)
    response = client.get(f"/actions/{action.pk}/update/")
    assert response.status_code == 403
    assert "no-store" in response["Cache-Control"]


def test_anonymous_pages_keep_their_own_headers(client):
    response = client.get("/accessibility/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- Finding 7: the API root, the statement's methods, the board's addresses ---------------


def test_the_api_root_refuses_a_user_with_no_role(stranger):
    client = APIClient()
    client.force_authenticate(stranger)
    response = client.get("/api/v1/")
    assert response.status_code == 403
    assert "no role" in response.json()["detail"]
    assert APIClient().get("/api/v1/").status_code == 401


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_accessibility_statement_only_reads(client, officer, method):
    assert getattr(client, method)("/accessibility/").status_code == 405
    client.force_login(officer)
    assert getattr(client, method)("/accessibility/").status_code == 405
    assert client.head("/accessibility/").status_code == 200


@pytest.mark.parametrize("who", ["officer", "councillor", "board_member"])
def test_the_board_s_addresses_and_smtp_errors_are_not_shown_to_other_roles(client, request, failed, who):
    client.force_login(request.getfixturevalue(who))
    html = client.get(f"/reports/{failed.pk}/").content.decode()
    assert "This report failed" in html
    for private in ("chair@board.example.org", "Margaret Ellis", "Recipient address rejected"):
        assert private not in html
    api = token_client(request.getfixturevalue(who)).get(f"/api/v1/reports/{failed.pk}/").json()
    assert "chair@board.example.org" not in api["error"]
    assert api["error"].startswith("The report could not be built or sent")


def test_administrators_see_deliveries_and_errors(client, administrator, failed):
    client.force_login(administrator)
    html = client.get(f"/reports/{failed.pk}/").content.decode()
    assert "Margaret Ellis" in html and "chair@board.example.org" in html
    assert "Recipient address rejected" in html
    assert token_client(administrator).get(f"/api/v1/reports/{failed.pk}/").json()["error"] == SMTP_ERROR


@pytest.mark.parametrize("who", ["officer", "councillor", "board_member"])
def test_the_reports_list_names_no_recipient_to_other_roles(client, request, failed, who):
    """The list named each delivery ("Margaret Ellis: failed") and printed the SMTP error
    to every role: both are for administrators, as on the report's own page."""
    client.force_login(request.getfixturevalue(who))
    html = client.get("/reports/").content.decode()
    assert f"/reports/{failed.pk}/" in html
    for private in ("chair@board.example.org", "Margaret Ellis", "Recipient address rejected"):
        assert private not in html
    api = token_client(request.getfixturevalue(who)).get("/api/v1/reports/").json()
    assert all("chair@board.example.org" not in (r["error"] or "") for r in api["results"])


def test_the_reports_list_tells_other_roles_only_whether_it_was_sent(client, councillor, report):
    Delivery.objects.create(
        report=report, name="Margaret Ellis", email="chair@board.example.org", state="sent"
    )
    Delivery.objects.create(report=report, name="Tom Adeyemi", email="tom@board.example.org", state="failed")
    client.force_login(councillor)
    html = client.get("/reports/").content.decode()
    assert "Margaret Ellis" not in html and "Tom Adeyemi" not in html
    assert "1 of 2 recipients" in html


def test_administrators_see_each_recipient_and_the_error_on_the_list(client, administrator, failed):
    client.force_login(administrator)
    html = client.get("/reports/").content.decode()
    assert "Margaret Ellis: failed" in html
    assert "Recipient address rejected" in html
    results = token_client(administrator).get("/api/v1/reports/").json()["results"]
    assert [r["error"] for r in results] == [SMTP_ERROR]
