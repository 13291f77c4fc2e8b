import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_is_public_and_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "not configured"}


def test_healthz_503_when_database_down(client, monkeypatch):
    from core import views

    def broken():
        raise OperationalError("down")

    monkeypatch.setattr(views, "connection", type("C", (), {"cursor": staticmethod(broken)}))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_healthz_503_when_broker_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"


@pytest.mark.parametrize("path", ["/", "/admin/", "/reports/", "/actions/"])
def test_anonymous_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_sign_in_page_is_public_and_accessible_markup(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en-GB"' in html
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert "govuk-button" in html
    assert "crown" not in html.lower()


def test_sign_in_error_summary(client, officer):
    response = client.post("/accounts/login/", {"username": "priya", "password": "wrong"})
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter a correct username and password" in html


def test_signed_in_user_sees_the_dashboard(client, officer, plan):
    client.force_login(officer)
    response = client.get("/")
    assert response.status_code == 200
    assert "Action plan 2022/23" in response.content.decode()


def test_user_without_role_is_refused(client, stranger):
    client.force_login(stranger)
    assert client.get("/").status_code == 403


def test_demo_banner_shows_fixed_date(client, officer):
    client.force_login(officer)
    assert "fixed at 16 January 2023" in client.get("/").content.decode()


def test_accessibility_statement_is_public(client):
    response = client.get("/accessibility/")
    assert response.status_code == 200
    assert "WCAG" in response.content.decode()
