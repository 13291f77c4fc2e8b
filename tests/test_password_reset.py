"""A forgotten password: a link by e-mail, the same answer for every address, throttled, once."""

import datetime
import re

import pytest
from django.core import mail

from accounts import password_reset
from accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"
SENT = "/accounts/password/reset/sent/"


def _ask(client, email, capture):
    with capture(execute=True):
        return client.post(RESET, {"email": email})


def _link(message) -> str:
    return re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body).group(0)


def test_the_sign_in_page_offers_a_reset(client):
    assert f'href="{RESET}"' in client.get("/accounts/login/").content.decode()


def test_a_known_address_gets_a_link_built_from_the_portal_address(
    client, officer, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://portal.example.gov.uk"
    response = _ask(client, officer.email.upper(), django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == SENT
    (message,) = mail.outbox
    assert officer.email in message.to[0]
    assert _link(message).startswith("https://portal.example.gov.uk/accounts/password/reset/")
    assert message.alternatives  # the HTML part of the trio


def test_a_forged_host_header_does_not_change_the_link(
    client, officer, settings, django_capture_on_commit_callbacks
):
    settings.ALLOWED_HOSTS = ["*"]  # even where the host is not checked
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESET, {"email": officer.email}, HTTP_HOST="evil.example.com")
    assert "evil.example.com" not in mail.outbox[0].body


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, django_capture_on_commit_callbacks):
    response = _ask(client, "nobody@council.example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == SENT
    assert not mail.outbox


def test_the_link_sets_a_password_once(client, officer, django_capture_on_commit_callbacks):
    _ask(client, officer.email, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    form_page = client.get(link, follow=True)
    assert "Set a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    new = "purple elephant umbrella kettle"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/complete/"
    officer.refresh_from_db()
    assert officer.check_password(new)
    assert "password" in mail.outbox[-1].subject.lower()  # told it changed
    # Spent: the same link now says it does not work, and changes nothing.
    fresh = client.__class__()
    assert "This link does not work" in fresh.get(link, follow=True).content.decode()
    officer.refresh_from_db()
    assert officer.check_password(new)


def test_mismatched_passwords_are_refused_in_the_second_person(
    client, officer, django_capture_on_commit_callbacks
):
    _ask(client, officer.email, django_capture_on_commit_callbacks)
    page = client.get(_link(mail.outbox[0]), follow=True)
    response = client.post(page.redirect_chain[-1][0], {"new_password1": "a b c d e f", "new_password2": "x"})
    assert "The new passwords do not match" in response.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_a_link_older_than_an_hour_does_not_work(
    client, officer, django_capture_on_commit_callbacks, monkeypatch
):
    _ask(client, officer.email, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    real_now = password_reset.token_generator._now
    monkeypatch.setattr(
        password_reset.token_generator,
        "_now",
        lambda: real_now() + datetime.timedelta(hours=password_reset.LINK_HOURS, minutes=1),
    )
    assert "This link does not work" in client.get(link, follow=True).content.decode()


def test_one_address_gets_at_most_its_share_of_links(client, officer, django_capture_on_commit_callbacks):
    for _ in range(password_reset.RESETS_PER_ADDRESS + 2):
        response = _ask(client, officer.email, django_capture_on_commit_callbacks)
        assert response["Location"] == SENT  # the same answer: nothing revealed
    assert len(mail.outbox) == password_reset.RESETS_PER_ADDRESS


def test_one_client_asking_too_often_is_told_to_wait(client, django_capture_on_commit_callbacks):
    for n in range(password_reset.RESETS_PER_CLIENT):
        assert (
            _ask(client, f"n{n}@council.example.org", django_capture_on_commit_callbacks).status_code == 302
        )
    response = _ask(client, "one-more@council.example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert "You have asked for too many reset links" in response.content.decode()


def test_an_empty_or_malformed_address_is_a_clear_error(client):
    assert "Enter your email address" in client.post(RESET, {"email": ""}).content.decode()
    assert "in the correct format" in client.post(RESET, {"email": "not-an-address"}).content.decode()
    assert not mail.outbox


def test_with_single_sign_on_only_administrators_get_a_link(
    client, officer, administrator, settings, django_capture_on_commit_callbacks
):
    settings.LOCAL_SIGN_IN = "admins"
    _ask(client, officer.email, django_capture_on_commit_callbacks)
    assert not mail.outbox
    _ask(client, administrator.email, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and administrator.email in mail.outbox[0].to[0]
