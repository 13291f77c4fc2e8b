"""An optional second factor for administrators: a TOTP authenticator app (ASVS 2.8).

django-otp keeps the devices and checks the codes (each code once, with a back-off
that doubles after every wrong one); this module decides which sessions must enter
a code, and what the rest of the portal does until they have.

- An administrator may set up one TOTP device (accounts.views). Only a confirmed
  device counts; one being set up is ignored everywhere.
- A sign-in by anyone with a confirmed device leaves the session *pending*: until a
  code is entered, every page but the code page, sign-out, the health check, the
  accessibility statement and static files redirects to the code page, and the
  API refuses session requests with 403. The flag is set once at sign-in and kept
  in the session, so pages cost no extra query for the many users without a device.
- The admin site asks the database itself (accounts.admin_site): it needs a verified
  session from anyone with a device and, when ADMIN_TWO_FACTOR_REQUIRED is on, from
  every administrator, who is sent to set a device up first.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import math
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import access
from core.security_log import log_event

PENDING = "_two_factor_pending"
DEVICE_NAME = "Authenticator app"
# Reachable while a code is still owed: what a person needs to finish or give up.
ALWAYS_OPEN = ("/healthz", "/static/", "/accessibility/")


# --- devices ---------------------------------------------------------------


def confirmed_device(user) -> TOTPDevice | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def pending_device(user) -> TOTPDevice:
    """The device being set up: the same one (and QR code) until it is confirmed."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The key as an app asks for it to be typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// address as an inline SVG QR code, with a text alternative.

    segno writes plain SVG (no script, no style attribute), so CSP needs nothing.
    A white quiet zone and background keep it scannable in a dark-mode browser.
    """
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=5, border=4, light="#fff", dark="#0b0c0c", svgclass="app-qr", lineclass=None)
    width, _height = qr.symbol_size(scale=5, border=4)
    label = "QR code to scan with your authenticator app. The key below sets it up too."
    # segno writes width and height only; a viewBox lets the stylesheet shrink it on a phone.
    svg = svg.replace(
        "<svg ", format_html('<svg role="img" aria-label="{}" viewBox="0 0 {} {}" ', label, width, width), 1
    )
    # segno's own markup: no text from a user but the label, escaped above.
    return mark_safe(svg)


def device_confirm(*, request, device: TOTPDevice) -> None:
    """The code matched: the device is on, and this session counts as verified with it."""
    from accounts.services import account_change_notify

    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    # Any other half-made device (two set-up pages open at once) is of no use now.
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    device.refresh_from_db()
    mark_verified(request, device)
    account_change_notify(user=device.user, change="two_factor_added")


def device_remove(*, device: TOTPDevice, by=None) -> None:
    """Turn the second factor off (by its owner with a code, or by an administrator in the admin).

    Sessions verified with it fall back to unverified (django-otp finds no device);
    the owner is e-mailed.
    """
    from accounts.services import account_change_notify

    user, was_on = device.user, device.confirmed
    device.delete()
    if was_on:
        account_change_notify(user=user, change="two_factor_removed", by=by)


@dataclasses.dataclass(frozen=True)
class CodeCheck:
    ok: bool
    wait_seconds: int = 0

    @property
    def throttled(self) -> bool:
        return self.wait_seconds > 0


def check_code(device: TOTPDevice, code: str) -> CodeCheck:
    """Is `code` right for `device` now? Each code works once; wrong ones slow the next try.

    The device row is locked so two tries at once cannot both slip past the back-off.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            wait = (info["locked_until"] - timezone.now()).total_seconds()
            return CodeCheck(ok=False, wait_seconds=max(1, math.ceil(wait)))
        return CodeCheck(ok=device.verify_token(code))


# --- sessions ---------------------------------------------------------------


def is_pending(request) -> bool:
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and request.session.get(PENDING)):
        return False
    return not _verified(user)


def mark_verified(request, device: TOTPDevice) -> None:
    """This session has shown a code from `device`: a new session id, and the flag gone."""
    request.session.cycle_key()
    otp_login(request, device)
    request.session.pop(PENDING, None)


def clear_pending(request) -> None:
    request.session.pop(PENDING, None)


def _verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


@receiver(user_logged_in, dispatch_uid="two_factor_pending_at_sign_in")
def _pending_at_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session") and user_has_device(user):
        request.session[PENDING] = True


def admin_requirement(request) -> str | None:
    """What stands between a signed-in staff user and the admin site: "verify", "set up" or None.

    Asked of the database, not the session flag, so a session older than its
    user's device cannot slip into the admin.
    """
    cached = getattr(request, "_two_factor_admin", False)
    if cached is not False:
        return cached
    user = request.user
    need = None
    if user.is_authenticated and user.is_active and user.is_staff and not _verified(user):
        if user_has_device(user):
            need = "verify"
        elif settings.ADMIN_TWO_FACTOR_REQUIRED:
            need = "set up"
    request._two_factor_admin = need
    return need


def log_code(request, event: str, *, ok: bool, check: CodeCheck | None = None) -> None:
    """two_factor_verified / two_factor_failed and friends, for the security log."""
    if ok:
        log_event(event, request)
    else:
        reason = f"throttled for {check.wait_seconds}s" if check and check.throttled else "wrong code"
        log_event(event, request, level=logging.WARNING, reason=reason)


# --- middleware -------------------------------------------------------------


class TwoFactorMiddleware:
    """Sends a session that still owes a code to the code page, and guards the admin.

    Runs after core.middleware.LoginRequiredMiddleware, so anonymous visitors have
    already been sent to sign in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if is_pending(request):
            if not self._open(path):
                return self._refuse(request, "Enter the code from your authenticator app to continue.")
        elif path.startswith("/admin/"):
            need = admin_requirement(request)
            if need == "verify":
                request.session[PENDING] = True
                return self._refuse(request, "Enter the code from your authenticator app to continue.")
            if need == "set up" and access.can_set_up_two_factor(request.user):
                messages.info(request, "Set up two-factor authentication before you use the admin.")
                return HttpResponseRedirect(reverse("two_factor"))
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        return path in (reverse("two_factor_verify"), reverse("logout")) or path.startswith(ALWAYS_OPEN)

    @staticmethod
    def _refuse(request, detail: str):
        path = request.path_info
        if path.startswith("/api/") or request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"detail": detail}, status=403)
        url = reverse("two_factor_verify")
        if request.method == "GET" and path != "/":
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)
