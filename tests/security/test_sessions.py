"""Session time-outs and ending sessions (ASVS 3.3.1-3.3.4)."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.factories import PASSWORD
from core import session_timeout

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """The wall clock the session middleware reads (not the portal's date)."""
    now = {"t": 1_700_000_000.0}
    monkeypatch.setattr(session_timeout.time, "time", lambda: now["t"])
    return now


def _signed_in(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_active_session_stays_signed_in(client, officer, clock, settings):
    _signed_in(client, officer)
    for _ in range(5):
        clock["t"] += settings.SESSION_IDLE_TIMEOUT - 60
        assert client.get("/").status_code == 200


def test_idle_session_is_signed_out_with_a_message(client, officer, clock, settings, security_log):
    _signed_in(client, officer)
    assert client.get("/").status_code == 200
    clock["t"] += settings.SESSION_IDLE_TIMEOUT + 1
    response = client.get("/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert "without activity" in response.content.decode()
    assert [e["reason"] for e in security_log.events if e["event"] == "session_expired"] == ["idle"]


def test_session_ends_at_the_absolute_limit_even_when_active(client, officer, clock, settings):
    _signed_in(client, officer)
    elapsed = 0
    while elapsed <= settings.SESSION_ABSOLUTE_TIMEOUT:
        assert client.get("/").status_code == 200
        clock["t"] += 20 * 60
        elapsed += 20 * 60
    response = client.get("/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change_ends_the_users_other_sessions(officer):
    laptop, phone = _signed_in(Client(), officer), _signed_in(Client(), officer)
    assert phone.get("/").status_code == 200
    officer.set_password("a new long passphrase for priya")
    officer.save()
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 302


def test_password_change_keeps_only_the_changing_session(officer):
    laptop = _signed_in(Client(), officer)
    phone = _signed_in(Client(), officer)
    response = laptop.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another long passphrase 2023",
            "new_password2": "another long passphrase 2023",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


def test_the_admins_password_change_is_the_portals_page(administrator):
    # One page changes a password by its owner: checked, logged and e-mailed in one place.
    admin_client = _signed_in(Client(), administrator)
    response = admin_client.get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    response = admin_client.post("/admin/password_change/", {"old_password": PASSWORD})
    assert response["Location"] == "/accounts/password/"
    assert admin_client.get("/admin/password_change/done/")["Location"] == "/accounts/password/done/"


def test_administrator_ends_a_users_sessions(client, administrator, officer, colleague, security_log):
    officer_client = _signed_in(Client(), officer)
    colleague_client = _signed_in(Client(), colleague)
    client.force_login(administrator)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "end_sessions", "_selected_action": [officer.pk]},
        follow=True,
    )
    assert "Ended 1 session(s) of 1 user(s)." in response.content.decode()
    assert officer_client.get("/").status_code == 302
    assert colleague_client.get("/").status_code == 200
    assert any(e["event"] == "sessions_ended" for e in security_log.events)


def test_non_administrator_cannot_end_sessions(client, officer, colleague):
    colleague_client = _signed_in(Client(), colleague)
    client.force_login(officer)
    client.post("/admin/accounts/user/", {"action": "end_sessions", "_selected_action": [colleague.pk]})
    assert colleague_client.get("/").status_code == 200
    assert Session.objects.count() >= 2


def test_sign_in_rotates_the_session_id(client, officer):
    client.get("/accounts/login/")
    before = client.cookies.get("sessionid")
    _signed_in(client, officer)
    assert client.cookies["sessionid"].value != (before.value if before else None)


def test_signing_out_ends_the_session_on_the_server(officer):
    browser = _signed_in(Client(), officer)
    stolen = browser.cookies["sessionid"].value
    browser.post("/accounts/logout/")
    thief = Client()
    thief.cookies["sessionid"] = stolen
    response = thief.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
