"""Your account: its page, changing your password, and the optional second factor.

Thin views: who may do what is accounts.access; devices, codes and sessions are
accounts.two_factor; the e-mails are accounts.services.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from accounts import access, password_reset, services, two_factor
from accounts.forms import CodeForm, PasswordChangeForm
from core.security_log import client_ip, log_event

# Wrong current passwords on the change form before the session is signed out: the
# same number as sign-in failures before a lock-out (django-axes).
PASSWORD_CHANGE_FAILURES = "_password_change_failures"


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@require_GET
def account(request: HttpRequest) -> HttpResponse:
    _require(access.has_portal_role(request.user))
    user = request.user
    context = {
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "can_set_up_two_factor": access.can_set_up_two_factor(user),
        "device": two_factor.confirmed_device(user),
        "nav_account": True,
    }
    return render(request, "accounts/account.html", context)


# --- password -----------------------------------------------------------------


class PasswordChange(auth_views.PasswordChangeView):
    """Django's PasswordChangeView: the current password, then the new one twice.

    Django keeps this session signed in (update_session_auth_hash) and every other
    session of the user is refused from its next request on, because it carries
    the old password's hash. The user is e-mailed; the change is logged.
    """

    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("password_change_done")
    extra_context = {"nav_account": True}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require(access.can_change_own_password(request.user))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session.pop(PASSWORD_CHANGE_FAILURES, None)
        log_event("password_changed", self.request)
        services.account_change_notify(user=form.user, change="password_changed")
        return response

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect"):
            failures = self.request.session.get(PASSWORD_CHANGE_FAILURES, 0) + 1
            self.request.session[PASSWORD_CHANGE_FAILURES] = failures
            log_event(
                "password_change_failed", self.request, level=logging.WARNING, reason="wrong current password"
            )
            if failures >= settings.AXES_FAILURE_LIMIT:
                # Someone at an unattended session guessing the password: end the session.
                log_event("password_change_failed", self.request, level=logging.WARNING, reason="signed out")
                logout(self.request)
                messages.info(
                    self.request,
                    "You were signed out because the current password was entered wrongly too often. "
                    "Sign in again.",
                )
                return redirect(settings.LOGIN_URL)
        return super().form_invalid(form)


class PasswordChangeDone(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
    extra_context = {"nav_account": True}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require(access.can_change_own_password(request.user))
        return super().dispatch(request, *args, **kwargs)


# --- a forgotten password (accounts.password_reset has the rules) -----------------------


class PasswordReset(auth_views.PasswordResetView):
    """Ask for a link by e-mail address. Every answer is the same page, so it reveals nothing."""

    form_class = password_reset.PasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("password_reset_done")
    extra_context = {"link_hours": password_reset.LINK_HOURS}

    def form_valid(self, form):
        if not password_reset.client_may_ask(client_ip(self.request) or "unknown"):
            log_event("password_reset_throttled", self.request, level=logging.WARNING)
            form.add_error(
                "email",
                "You have asked for too many reset links. Wait an hour, then try again, "
                "or contact your ICT strategy administrator",
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        log_event("password_reset_requested", self.request)
        form.save()
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDone(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    extra_context = {"link_hours": password_reset.LINK_HOURS}


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Set a new password from the e-mailed link: once, within the hour, then sign in."""

    form_class = password_reset.SetPasswordForm
    token_generator = password_reset.token_generator
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # An account that may not sign in with a password here has no link to use.
        if user is not None and not (
            password_reset.local_sign_in_for_everyone() or access.is_administrator(user)
        ):
            return None
        return user

    def form_valid(self, form):
        response = super().form_valid(form)
        log_event("password_reset_completed", self.request, user=form.user)
        services.account_change_notify(user=form.user, change="password_changed")
        return response


class PasswordResetComplete(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- two-factor authentication ----------------------------------------------------------


@require_GET
def two_factor_status(request: HttpRequest) -> HttpResponse:
    _require(access.can_set_up_two_factor(request.user))
    context = {
        "device": two_factor.confirmed_device(request.user),
        "required_for_admin": settings.ADMIN_TWO_FACTOR_REQUIRED,
        "nav_account": True,
    }
    return render(request, "accounts/two_factor.html", context)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the key), then confirm with a code: the device is on."""
    _require(access.can_set_up_two_factor(request.user))
    if two_factor.confirmed_device(request.user):
        return redirect("two_factor")
    device = two_factor.pending_device(request.user)
    form = CodeForm(_posted(request), button="Turn on two-factor authentication")
    if request.method == "POST" and form.is_valid():
        check = two_factor.check_code(device, form.cleaned_data["code"])
        two_factor.log_code(
            request,
            "two_factor_setup_failed" if not check.ok else "two_factor_added",
            ok=check.ok,
            check=check,
        )
        if check.ok:
            two_factor.device_confirm(request=request, device=device)
            messages.success(
                request, "Two-factor authentication is on. Signing in now asks for a code from your app."
            )
            return redirect("two_factor")
        form.wrong_code(check.wait_seconds)
    context = {
        "form": form,
        "qr_svg": two_factor.qr_svg(device),
        "secret": two_factor.secret_text(device),
        "issuer": settings.OTP_TOTP_ISSUER,
        "nav_account": True,
    }
    return render(request, "accounts/two_factor_setup.html", context)


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off: only with a current code, so a borrowed session cannot."""
    _require(access.can_set_up_two_factor(request.user))
    device = two_factor.confirmed_device(request.user)
    if device is None:
        return redirect("two_factor")
    form = CodeForm(_posted(request), button="Turn off two-factor authentication", destructive=True)
    if request.method == "POST" and form.is_valid():
        check = two_factor.check_code(device, form.cleaned_data["code"])
        two_factor.log_code(
            request,
            "two_factor_removed" if check.ok else "two_factor_remove_failed",
            ok=check.ok,
            check=check,
        )
        if check.ok:
            two_factor.device_remove(device=device)
            messages.success(
                request, "Two-factor authentication is off. Signing in asks for your password only."
            )
            return redirect("two_factor")
        form.wrong_code(check.wait_seconds)
    return render(request, "accounts/two_factor_remove.html", {"form": form, "nav_account": True})


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in, for anyone with a device."""
    _require(access.has_portal_role(request.user))
    next_url = _safe_next(request)
    if not two_factor.is_pending(request):
        return HttpResponseRedirect(next_url)
    device = two_factor.confirmed_device(request.user)
    if device is None:
        # Removed meanwhile (by another administrator, for a lost phone): nothing to ask.
        two_factor.clear_pending(request)
        return HttpResponseRedirect(next_url)
    form = CodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        check = two_factor.check_code(device, form.cleaned_data["code"])
        two_factor.log_code(
            request, "two_factor_verified" if check.ok else "two_factor_failed", ok=check.ok, check=check
        )
        if check.ok:
            two_factor.mark_verified(request, device)
            return HttpResponseRedirect(next_url)
        form.wrong_code(check.wait_seconds)
    context = {"form": form, "next": next_url, "hide_navigation": True}
    return render(request, "accounts/two_factor_verify.html", context)


def _safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _posted(request: HttpRequest):
    """The submitted data, or None for a GET: an empty POST still shows its errors."""
    return request.POST if request.method == "POST" else None
