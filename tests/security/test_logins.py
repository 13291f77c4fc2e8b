"""Sign-in throttling and the security log (ASVS 2.2.1, 7.1, 7.2)."""

import datetime

import pytest
from django.test import override_settings

from accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_sign_in_is_logged_as_json_with_utc_time(client, officer, security_log):
    response = _sign_in(client, "priya", PASSWORD)
    assert response.status_code == 302
    [event] = [e for e in security_log.events if e["event"] == "sign_in"]
    assert event["username"] == "priya"
    assert event["user_id"] == officer.pk
    assert event["ip"] == "127.0.0.1"
    when = datetime.datetime.fromisoformat(event["time"])
    assert when.utcoffset() == datetime.timedelta(0)


def test_failed_sign_in_is_logged_without_the_password(client, officer, security_log):
    _sign_in(client, "priya", "not-my-password-at-all")
    [event] = [e for e in security_log.events if e["event"] == "sign_in_failed"]
    assert event["username"] == "priya"
    assert event["level"] == "WARNING"
    assert "not-my-password-at-all" not in "".join(security_log.lines)


def test_sign_out_is_logged(client, officer, security_log):
    client.force_login(officer)
    client.post("/accounts/logout/")
    assert [e["username"] for e in security_log.events if e["event"] == "sign_out"] == ["priya"]


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_and_are_logged(client, officer, security_log):
    for _ in range(3):
        _sign_in(client, "priya", "wrong-password-guess")
    # Locked: even the right password is refused now, with the lock-out page.
    response = _sign_in(client, "priya", PASSWORD)
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    locked = [e for e in security_log.events if e["event"] == "locked_out"]
    assert locked and locked[0]["username"] == "priya"


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lock_out_is_per_username_so_colleagues_can_still_sign_in(client, officer, colleague):
    for _ in range(3):
        _sign_in(client, "priya", "wrong-password-guess")
    response = _sign_in(client, "gareth", PASSWORD)
    assert response.status_code == 302


def test_permission_refusal_is_logged(client, stranger, security_log):
    client.force_login(stranger)
    response = client.get("/")
    assert response.status_code == 403
    [event] = [e for e in security_log.events if e["event"] == "permission_denied"]
    assert event["username"] == "no-role"
    assert event["path"] == "/"
    assert event["status"] == 403


def test_csrf_refusal_is_logged(officer, security_log):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert any(e["event"] == "permission_denied" for e in security_log.events)
