"""Security review, finding 6: behind the TLS proxy, a lock-out is still per (username, client
address), and the security log names the same address; a client-written header is never believed."""

import pytest
from django.test import Client, RequestFactory, override_settings

from accounts.factories import PASSWORD
from core.security_log import client_ip

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
ATTACKER, ADMINISTRATOR = "198.51.100.66", "203.0.113.5"


def via_proxy(client, address, *, sent_by_client=""):
    """A sign-in as the TLS proxy forwards it: the proxy's own address on the connection,
    the client's appended to whatever X-Forwarded-For the client sent."""
    forwarded = f"{sent_by_client}, {address}" if sent_by_client else address
    return lambda username, password: client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@override_settings(AXES_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=1)
def test_wrong_passwords_from_one_client_do_not_lock_out_another_behind_the_proxy(administrator):
    attacker = via_proxy(Client(), ATTACKER)
    for _ in range(4):
        attacker("head-of-ict", "a wrong guess again")
    assert attacker("head-of-ict", PASSWORD).status_code == 429
    assert via_proxy(Client(), ADMINISTRATOR)("head-of-ict", PASSWORD).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=1)
def test_a_forged_forwarded_header_does_not_escape_the_lock_out(administrator):
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"):
        via_proxy(Client(), ATTACKER, sent_by_client=forged)("head-of-ict", "a wrong guess again")
    locked = via_proxy(Client(), ATTACKER, sent_by_client="5.5.5.5")("head-of-ict", PASSWORD)
    assert locked.status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=1)
def test_the_log_names_the_address_axes_locked(administrator, security_log):
    attacker = via_proxy(Client(), ATTACKER, sent_by_client="6.6.6.6")
    for _ in range(3):
        attacker("head-of-ict", "a wrong guess again")
    events = [e for e in security_log.events if e["event"] in ("sign_in_failed", "locked_out")]
    assert events and {e["ip"] for e in events} == {ATTACKER}


@override_settings(AXES_FAILURE_LIMIT=3)
def test_without_a_trusted_proxy_the_header_is_not_believed(officer, security_log):
    """The default: no proxy configured, so X-Forwarded-For is whatever a client wrote."""
    client = Client()
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        client.post(
            "/accounts/login/",
            {"username": "priya", "password": "a wrong guess"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=forged,
        )
    assert {e["ip"] for e in security_log.events if e["event"] == "sign_in_failed"} == {ATTACKER}
    response = client.post(
        "/accounts/login/", {"username": "priya", "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 429


@pytest.mark.parametrize(
    "proxies,forwarded,expected",
    [
        (0, "1.1.1.1", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "1.1.1.1, 203.0.113.5", "203.0.113.5"),
        (2, "1.1.1.1, 203.0.113.5, 192.0.2.9", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_rule(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": PROXY, **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})}
    assert client_ip(RequestFactory().get("/", **meta)) == expected
