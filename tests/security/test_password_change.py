"""Everyone changes their own password (ASVS 2.1.5, 2.1.6, 3.3.3) and is told by e-mail (2.2.3)."""

import pytest
from django.core import mail
from django.test import Client

from accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "a brand new passphrase for spring"


def _signed_in(user) -> Client:
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    )
    return client


def _change(client, old=PASSWORD, new1=NEW, new2=None):
    return client.post(
        "/accounts/password/",
        {"old_password": old, "new_password1": new1, "new_password2": new1 if new2 is None else new2},
    )


@pytest.mark.parametrize("role", ["officer", "councillor", "board_member", "administrator"])
def test_every_role_finds_the_page_from_the_header(client, request, role):
    client.force_login(request.getfixturevalue(role))
    header = client.get("/").content.decode()
    assert 'href="/accounts/">Your account' in header
    account = client.get("/accounts/").content.decode()
    assert 'href="/accounts/password/"' in account
    page = client.get("/accounts/password/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'autocomplete="current-password"' in html and html.count('autocomplete="new-password"') == 2
    assert "At least 12 characters and at most 128" in html  # the validators' settings are the hint


def test_a_user_without_a_role_cannot_use_it(client, stranger):
    client.force_login(stranger)
    assert client.get("/accounts/password/").status_code == 403
    assert _change(client).status_code == 403
    stranger.refresh_from_db()
    assert stranger.check_password(PASSWORD)


def test_changing_the_password_keeps_this_session_ends_the_others_and_emails(
    officer, security_log, django_capture_on_commit_callbacks
):
    laptop, phone = _signed_in(officer), _signed_in(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = _change(laptop)
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    done = laptop.get("/accounts/password/done/").content.decode()
    assert "Password changed" in done and officer.email in done
    assert laptop.get("/").status_code == 200
    response = phone.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    officer.refresh_from_db()
    assert officer.check_password(NEW) and not officer.check_password(PASSWORD)
    [event] = [e for e in security_log.events if e["event"] == "password_changed"]
    assert event["username"] == "priya"
    assert NEW not in "".join(security_log.lines)

    [email] = mail.outbox
    assert email.to == [officer.email]
    assert email.subject == "Your ICT Strategy Delivery Portal password was changed"
    assert "(priya) was changed on" in email.body
    assert "If you did not change it" in email.body
    assert NEW not in email.body
    html = email.alternatives[0][0]
    assert "If you did not change it" in html and "/accounts/login/" in html


def test_the_email_escapes_the_name_in_html(officer, django_capture_on_commit_callbacks):
    officer.first_name, officer.last_name = "<b>Priya</b>", "Sharma"
    officer.save()
    client = _signed_in(officer)
    with django_capture_on_commit_callbacks(execute=True):
        _change(client)
    html = mail.outbox[0].alternatives[0][0]
    assert "&lt;b&gt;Priya&lt;/b&gt;" in html and "<b>Priya</b>" not in html


@pytest.mark.parametrize(
    ("new1", "new2", "field", "message"),
    [
        (
            "tr0ub4dor&3",
            None,
            "new_password1",
            "This password is too short. It must contain at least 12 characters.",
        ),
        ("password1234", None, "new_password1", "This password is too common."),
        (
            "z" * 129,
            None,
            "new_password1",
            "This password is too long. It must contain at most 128 characters.",
        ),
        ("priya-maidstone", None, "new_password1", "The password is too similar to the email address."),
        ("123456789012", None, "new_password1", "This password is entirely numeric."),
        (
            NEW,
            NEW + "!",
            "new_password2",
            "The new passwords do not match. Enter the same new password twice",
        ),
        ("", None, "new_password1", "Enter a new password"),
    ],
)
def test_the_password_rules_refuse_with_a_linked_error(client, officer, new1, new2, field, message):
    officer.email = "priya-maidstone@council.example.org"
    officer.save()
    client.force_login(officer)
    response = _change(client, new1=new1, new2=new2)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and html.startswith("<!DOCTYPE html>")
    assert f'<a href="#id_{field}">{message}</a>' in html.replace("&#x27;", "'")
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    assert mail.outbox == []


def test_a_wrong_current_password_is_refused_and_logged(client, officer, security_log):
    client.force_login(officer)
    response = _change(client, old="not my password at all")
    html = response.content.decode()
    assert '<a href="#id_old_password">Your current password is not right. Enter it again</a>' in html
    [event] = [e for e in security_log.events if e["event"] == "password_change_failed"]
    assert event["level"] == "WARNING" and event["reason"] == "wrong current password"
    assert "not my password at all" not in "".join(security_log.lines)


def test_guessing_the_current_password_signs_the_session_out(client, officer, settings, security_log):
    """An unattended session cannot be used to guess the password: it ends after AXES_FAILURE_LIMIT tries."""
    settings.AXES_FAILURE_LIMIT = 3
    client.force_login(officer)
    for _ in range(2):
        assert _change(client, old="a wrong guess here").status_code == 200
    response = _change(client, old="a third wrong guess")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert "signed out because the current password" in client.get("/accounts/login/").content.decode()
    assert [e.get("reason") for e in security_log.events if e["event"] == "password_change_failed"][-1] == (
        "signed out"
    )


def test_an_administrator_setting_a_password_in_the_admin_tells_its_owner(
    client, administrator, officer, django_capture_on_commit_callbacks, security_log
):
    client.force_login(administrator)
    url = f"/admin/accounts/user/{officer.pk}/password/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"password1": NEW, "password2": NEW, "usable_password": "true"})
    assert response.status_code == 302 and response["Location"].endswith(f"/{officer.pk}/change/")
    officer.refresh_from_db()
    assert officer.check_password(NEW)
    [email] = mail.outbox
    assert email.to == [officer.email]
    assert f"by {administrator.display_name}, an administrator" in email.body
    [event] = [e for e in security_log.events if e["event"] == "password_changed"]
    assert event["username"] == "head-of-ict" and event["reason"] == "set for priya"


def test_a_refused_admin_password_form_tells_nobody(
    client, administrator, officer, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/accounts/user/{officer.pk}/password/", {"password1": "short", "password2": "short"}
        )
    assert response.status_code == 200
    assert mail.outbox == []


def test_no_email_address_means_no_email_but_the_change_stands(officer, django_capture_on_commit_callbacks):
    officer.email = ""
    officer.save()
    client = _signed_in(officer)
    with django_capture_on_commit_callbacks(execute=True):
        assert _change(client).status_code == 302
    assert mail.outbox == []


def test_an_administrator_changing_an_email_address_tells_the_old_one(
    client, administrator, officer, django_capture_on_commit_callbacks, security_log
):
    old = officer.email
    client.force_login(administrator)
    form = {
        "username": officer.username,
        "first_name": officer.first_name,
        "last_name": officer.last_name,
        "email": "priya.new@council.example.org",
        "is_active": "on",
        "groups": [g.pk for g in officer.groups.all()],
        "date_joined_0": "2023-01-16",
        "date_joined_1": "09:00:00",
        "partner": officer.partner_id,
        "job_title": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/accounts/user/{officer.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    [email] = mail.outbox
    assert email.to == [old]
    assert "priya.new@council.example.org" in email.body
    assert f"by {administrator.display_name}, an administrator" in email.body
    assert any(e["event"] == "email_changed" for e in security_log.events)

    # Saving again without changing the address sends nothing more.
    form["email"] = "priya.new@council.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/accounts/user/{officer.pk}/change/", form)
    assert len(mail.outbox) == 1
