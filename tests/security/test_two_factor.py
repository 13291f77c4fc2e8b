"""The optional second factor for administrators (ASVS 2.8): set up, sign in, remove.

Codes come from django-otp's own TOTP arithmetic on the device's key, as an
authenticator app would make them. A code works once, so a test that needs two
takes the next time step's (drift=1), which the device's tolerance accepts.
"""

import collections
import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.factories import PASSWORD
from accounts.two_factor import PENDING
from tests.security.permission_matrix import MATRIX

pytestmark = pytest.mark.django_db


def code(device, step=0) -> str:
    """The code an app shows now, `step` time steps ahead, allowing for the drift the device has learnt.

    django-otp accepts a code one step early or late and then remembers that drift,
    so a test that crosses a 30-second boundary must follow it as a phone would.
    """
    device.refresh_from_db()
    drift = device.drift + step
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def wrong(device) -> str:
    return f"{(int(code(device)) + 1) % 1_000_000:06d}"


@pytest.fixture
def device(administrator):
    return TOTPDevice.objects.create(user=administrator, name="Authenticator app", confirmed=True)


def sign_in(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


# --- setting up --------------------------------------------------------------------


def test_administrator_sets_up_a_device_with_a_qr_code_and_a_typed_key(
    client, administrator, security_log, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    page = client.get("/accounts/two-factor/set-up/")
    html = page.content.decode()
    assert page.status_code == 200
    pending = TOTPDevice.objects.get(user=administrator)
    assert not pending.confirmed
    assert '<svg role="img" aria-label="QR code' in html and "<path" in html
    assert " style=" not in html and "<script>" not in html
    # The key in text, for those who cannot scan: base32 in groups of four.
    secret = page.context["secret"]
    assert secret in html and len(secret.replace(" ", "")) == 32
    # Showing the page again keeps the same key (someone may have scanned it already).
    assert client.get("/accounts/two-factor/set-up/").context["secret"] == secret

    # A half-made device from another tab is tidied away when this one is confirmed.
    TOTPDevice.objects.create(user=administrator, name="Authenticator app", confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/two-factor/set-up/", {"code": code(pending)})
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/"
    pending.refresh_from_db()
    assert pending.confirmed
    assert TOTPDevice.objects.filter(user=administrator).count() == 1
    # This session is verified with the new device: no code asked for straight away.
    assert client.get("/").status_code == 200
    assert "On" in client.get("/accounts/two-factor/").content.decode()
    assert [e["event"] for e in security_log.events if e["event"].startswith("two_factor")] == [
        "two_factor_added"
    ]
    [email] = mail.outbox
    assert email.to == [administrator.email]
    assert "Two-factor authentication is now on" in email.subject


def test_a_wrong_code_does_not_turn_it_on(client, administrator, security_log):
    client.force_login(administrator)
    client.get("/accounts/two-factor/set-up/")
    pending = TOTPDevice.objects.get(user=administrator)
    response = client.post("/accounts/two-factor/set-up/", {"code": wrong(pending)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "The code is not right" in html
    assert not TOTPDevice.objects.get(pk=pending.pk).confirmed
    assert [e["reason"] for e in security_log.events if e["event"] == "two_factor_setup_failed"] == [
        "wrong code"
    ]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the 6-digit code from your authenticator app"),
        ("12345", "Enter the code as 6 digits, for example 123456"),
        ("abcdef", "Enter the code as 6 digits, for example 123456"),
    ],
)
def test_a_code_of_the_wrong_shape_is_refused_with_a_gov_uk_error(client, administrator, typed, message):
    client.force_login(administrator)
    response = client.post("/accounts/two-factor/set-up/", {"code": typed})
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert f'<a href="#id_code">{message}</a>' in html
    assert "govuk-form-group--error" in html


def test_a_post_with_no_fields_at_all_still_shows_the_error(client, administrator):
    client.force_login(administrator)
    html = client.post("/accounts/two-factor/set-up/").content.decode()
    assert '<a href="#id_code">Enter the 6-digit code from your authenticator app</a>' in html


def test_a_code_typed_with_spaces_is_accepted(client, administrator):
    client.force_login(administrator)
    client.get("/accounts/two-factor/set-up/")
    pending = TOTPDevice.objects.get(user=administrator)
    typed = code(pending)
    response = client.post("/accounts/two-factor/set-up/", {"code": f"{typed[:3]} {typed[3:]}"})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(pk=pending.pk).confirmed


@pytest.mark.parametrize("role", ["officer", "councillor", "board_member"])
def test_other_roles_cannot_set_up_a_device_or_see_the_link(client, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    for path in ("/accounts/two-factor/", "/accounts/two-factor/set-up/", "/accounts/two-factor/remove/"):
        assert client.get(path).status_code == 403
    assert client.post("/accounts/two-factor/set-up/", {"code": "123456"}).status_code == 403
    assert not TOTPDevice.objects.exists()
    assert "two-factor" not in client.get("/accounts/").content.decode()


def test_the_account_page_links_administrators_to_two_factor(client, administrator):
    client.force_login(administrator)
    html = client.get("/accounts/").content.decode()
    assert 'href="/accounts/two-factor/"' in html and "Set up two-factor authentication" in html


def test_with_a_device_set_up_the_set_up_page_goes_back_to_the_status(client, administrator, device):
    client.force_login(administrator)
    client.post("/accounts/two-factor/verify/", {"code": code(device)})
    assert client.get("/accounts/two-factor/set-up/")["Location"] == "/accounts/two-factor/"
    assert TOTPDevice.objects.filter(user=administrator).count() == 1


# --- signing in ------------------------------------------------------------------


def test_after_the_password_every_page_waits_for_the_code(client, administrator, device):
    response = sign_in(client, administrator)
    assert response["Location"] == "/"
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/verify/"
    response = client.get("/actions/?year=2022")
    assert response["Location"] == "/accounts/two-factor/verify/?next=%2Factions%2F%3Fyear%3D2022"
    page = client.get("/accounts/two-factor/verify/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert 'href="/actions/"' not in html  # the menu is hidden until the code is in


def test_the_right_code_lets_the_administrator_in_and_is_logged(client, administrator, device, security_log):
    sign_in(client, administrator)
    before = client.cookies["sessionid"].value
    response = client.post(
        "/accounts/two-factor/verify/", {"code": code(device), "next": "/actions/?year=2022"}
    )
    assert response.status_code == 302 and response["Location"] == "/actions/?year=2022"
    assert client.cookies["sessionid"].value != before  # a new session id once fully signed in
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200
    [event] = [e for e in security_log.events if e["event"] == "two_factor_verified"]
    assert event["username"] == "head-of-ict" and event["path"] == "/accounts/two-factor/verify/"


def test_a_wrong_code_is_refused_and_logged(client, administrator, device, security_log):
    sign_in(client, administrator)
    response = client.post("/accounts/two-factor/verify/", {"code": wrong(device)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Error: Enter the code" in html
    assert '<a href="#id_code">The code is not right.' in html
    assert client.get("/").status_code == 302
    [event] = [e for e in security_log.events if e["event"] == "two_factor_failed"]
    assert event["level"] == "WARNING" and event["reason"] == "wrong code"
    assert event["username"] == "head-of-ict"
    assert wrong(device) not in "".join(security_log.lines)


def test_wrong_codes_slow_down_the_next_try(client, administrator, device, security_log):
    """Each wrong code doubles the wait (django-otp's throttle); while it lasts even the right code waits."""
    sign_in(client, administrator)
    device.throttling_failure_count = 5
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    response = client.post("/accounts/two-factor/verify/", {"code": code(device)})
    html = response.content.decode()
    assert "You entered a wrong code too many times. Wait 16 seconds" in html
    assert client.get("/").status_code == 302
    [event] = [e for e in security_log.events if e["event"] == "two_factor_failed"]
    assert event["reason"] == "throttled for 16s"
    # Once the wait is over, the right code works and clears the count.
    device.throttling_failure_timestamp = timezone.now() - datetime.timedelta(seconds=17)
    device.save()
    response = client.post("/accounts/two-factor/verify/", {"code": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_each_wrong_code_counts(client, administrator, device):
    sign_in(client, administrator)
    client.post("/accounts/two-factor/verify/", {"code": wrong(device)})
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_a_code_works_only_once(client, administrator, device):
    used = code(device)
    first = Client()
    sign_in(first, administrator)
    assert first.post("/accounts/two-factor/verify/", {"code": used}).status_code == 302
    second = Client()
    sign_in(second, administrator)
    response = second.post("/accounts/two-factor/verify/", {"code": used})
    assert response.status_code == 200 and "The code is not right" in response.content.decode()


def test_the_code_page_refuses_to_send_people_elsewhere(client, administrator, device):
    sign_in(client, administrator)
    response = client.post(
        "/accounts/two-factor/verify/", {"code": code(device), "next": "https://evil.example.com/"}
    )
    assert response["Location"] == "/"


def test_sign_out_health_check_and_static_stay_open_while_a_code_is_owed(client, administrator, device):
    sign_in(client, administrator)
    assert client.get("/healthz").status_code == 200
    assert client.get("/accessibility/").status_code == 200
    assert client.get("/static/build/portal.css").status_code != 302
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_the_api_refuses_a_session_that_owes_a_code(client, administrator, device):
    sign_in(client, administrator)
    response = client.get("/api/v1/actions/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Enter the code from your authenticator app to continue."}


def test_every_route_waits_for_the_code(administrator, device, action, colleague, strategy, theme, plan):
    """The permission matrix again, as an administrator who has given only the password."""
    client = Client()
    client.force_login(administrator)
    assert client.session[PENDING]
    open_routes = {"healthz", "accessibility", "logout", "two_factor_verify"}
    leaked = []
    for name, rule in MATRIX.items():
        if name in open_routes:
            continue
        # Any other placeholder (an app's own: {risk}, {review}...) is id 1: nothing is reached anyway.
        path = rule["path"].format_map(
            collections.defaultdict(
                lambda: 1,
                action=action.pk,
                other_action=action.pk,
                strategy=strategy.pk,
                theme=theme.pk,
                plan=plan.pk,
            )
        )
        for method in [m for m in ("GET", "POST") if m in rule]:
            response = getattr(client, method.lower())(path, HTTP_ACCEPT=rule.get("accept", "text/html"))
            api_refused = path.startswith("/api/") and response.status_code == 403
            to_code_page = response.status_code == 302 and response["Location"].startswith(
                "/accounts/two-factor/verify/"
            )
            if not (api_refused or to_code_page):
                leaked.append(f"{method} {path}: {response.status_code}")
    assert not leaked, "Reached without the code:\n" + "\n".join(leaked)
    assert client.get("/admin/accounts/user/")["Location"].startswith("/accounts/two-factor/verify/")


def test_an_administrator_without_a_device_is_not_asked(client, administrator):
    sign_in(client, administrator)
    assert PENDING not in client.session
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_device_being_set_up_asks_for_nothing(client, administrator):
    TOTPDevice.objects.create(user=administrator, name="Authenticator app", confirmed=False)
    sign_in(client, administrator)
    assert client.get("/").status_code == 200


def test_the_admin_asks_for_the_code_even_from_a_session_older_than_the_device(client, administrator):
    client.force_login(administrator)  # signed in before the device existed: no code owed
    TOTPDevice.objects.create(user=administrator, name="Authenticator app", confirmed=True)
    assert client.get("/").status_code == 200
    response = client.get("/admin/")
    assert response["Location"].startswith("/accounts/two-factor/verify/")


def test_the_admin_site_itself_refuses_an_unverified_session(rf, administrator, device):
    """The backstop behind the middleware: the admin site's own permission check."""
    from django.contrib.admin import site
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.middleware import OTPMiddleware

    def admin_request(session):
        request = rf.get("/admin/")
        request.session, request.user = session, administrator
        OTPMiddleware(lambda r: None)(request)
        return request

    assert not site.has_permission(admin_request({}))
    assert site.has_permission(admin_request({DEVICE_ID_SESSION_KEY: device.persistent_id}))


def test_a_device_removed_meanwhile_lets_the_session_through(client, administrator, device):
    sign_in(client, administrator)
    device.delete()
    response = client.get("/accounts/two-factor/verify/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


# --- ADMIN_TWO_FACTOR_REQUIRED -------------------------------------------------------------


def test_required_setting_sends_administrators_without_a_device_to_set_one_up(
    client, administrator, settings
):
    settings.ADMIN_TWO_FACTOR_REQUIRED = True
    client.force_login(administrator)
    assert client.get("/").status_code == 200  # the rest of the portal is unaffected
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/two-factor/"
    assert "Set up two-factor authentication before you use the admin." in response.content.decode()


def test_required_setting_lets_a_verified_administrator_into_the_admin(
    client, administrator, device, settings
):
    settings.ADMIN_TWO_FACTOR_REQUIRED = True
    sign_in(client, administrator)
    client.post("/accounts/two-factor/verify/", {"code": code(device)})
    assert client.get("/admin/").status_code == 200


def test_the_setting_is_off_by_default():
    from django.conf import settings

    assert settings.ADMIN_TWO_FACTOR_REQUIRED is False


# --- removing -----------------------------------------------------------------------


@pytest.fixture
def verified(client, administrator, device):
    sign_in(client, administrator)
    assert client.post("/accounts/two-factor/verify/", {"code": code(device)}).status_code == 302
    return client


def test_removing_needs_a_current_code(verified, device, security_log):
    response = verified.post("/accounts/two-factor/remove/", {"code": wrong(device)})
    assert response.status_code == 200 and "The code is not right" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert [e["reason"] for e in security_log.events if e["event"] == "two_factor_remove_failed"] == [
        "wrong code"
    ]


def test_removing_with_a_code_turns_it_off_and_tells_the_owner(
    verified, administrator, device, security_log, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = verified.post("/accounts/two-factor/remove/", {"code": code(device, step=1)})
    assert response["Location"] == "/accounts/two-factor/"
    assert not TOTPDevice.objects.filter(user=administrator).exists()
    assert verified.get("/").status_code == 200
    assert any(e["event"] == "two_factor_removed" for e in security_log.events)
    [email] = mail.outbox
    assert "Two-factor authentication was turned off" in email.subject
    # The next sign-in asks for the password only.
    fresh = Client()
    sign_in(fresh, administrator)
    assert fresh.get("/").status_code == 200


def test_another_administrator_removes_a_lost_device_in_the_admin(
    client, administrator, device, django_capture_on_commit_callbacks, security_log
):
    from accounts import roles
    from accounts.factories import UserFactory

    deputy = UserFactory(username="deputy-head", role=roles.ADMINISTRATOR)
    client.force_login(deputy)
    listing = client.get("/admin/otp_totp/totpdevice/")
    assert listing.status_code == 200 and escape(administrator.display_name) in listing.content.decode()
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    change = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in change  # nobody else ever sees the key
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.exists()
    [email] = mail.outbox
    assert email.to == [administrator.email]
    assert f"by {deputy.display_name}, an administrator" in email.body
    [event] = [e for e in security_log.events if e["event"] == "two_factor_removed"]
    assert event["username"] == "deputy-head" and "head-of-ict" in event["reason"]
