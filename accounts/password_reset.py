"""Resetting a forgotten password by e-mail, for accounts that sign in with one.

- No user enumeration: whatever address is given, the same page says "if it has an
  account, we have sent a link". Only active accounts with a usable password get
  one and, with LOCAL_SIGN_IN = "admins" (everyone else signs in through the
  organisation's single sign-on), only administrators.
- Throttled: at most RESETS_PER_ADDRESS links an hour to one address (more are
  dropped silently, so the page still reveals nothing) and RESETS_PER_CLIENT asks
  an hour from one client address (then the form says to wait).
- The link works once and for LINK_HOURS: Django's token is signed over the
  password hash and the last sign-in, so setting a password (or signing in) spends
  it, and the age is checked here.
- The link is built from PORTAL_BASE_URL, never from the request's Host header,
  which a sender could forge to have the link point at their own site.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from accounts import access
from core import emails

LINK_HOURS = 1
RESETS_PER_ADDRESS = 3
RESETS_PER_CLIENT = 10
WINDOW_SECONDS = 3600


class OneHourTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token, valid for LINK_HOURS (not PASSWORD_RESET_TIMEOUT's 3 days)."""

    def check_token(self, user, token):
        if not super().check_token(user, token):
            return False
        try:
            made_at = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        return self._num_seconds(self._now()) - made_at <= LINK_HOURS * 3600


token_generator = OneHourTokenGenerator()


def local_sign_in_for_everyone() -> bool:
    """LOCAL_SIGN_IN: "all" (the default) or "admins" (everyone else uses single sign-on)."""
    return getattr(settings, "LOCAL_SIGN_IN", "all") != "admins"


def _spend(key: str, limit: int) -> bool:
    """Count one more use of `key` this hour; False once `limit` is passed."""
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        used = 1
    return used <= limit


def client_may_ask(client_ip: str) -> bool:
    return _spend(f"password-reset:client:{client_ip}", RESETS_PER_CLIENT)


def _address_may_receive(email: str) -> bool:
    return _spend(f"password-reset:address:{email.strip().lower()}", RESETS_PER_ADDRESS)


def reset_link(user) -> str:
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": token_generator.make_token(user),
        },
    )
    return settings.PORTAL_BASE_URL.rstrip("/") + path


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form (active users, usable passwords, matched case-insensitively), sending the
    portal's own e-mail trio after the request's transaction."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["email"]
        field.label = "Email address"
        field.help_text = "The address your portal account uses."
        field.error_messages["required"] = "Enter your email address"
        field.error_messages["invalid"] = (
            "Enter an email address in the correct format, like name@example.gov.uk"
        )
        field.widget.attrs.pop("autofocus", None)
        field.widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})

    def get_users(self, email):
        for user in super().get_users(email):
            if local_sign_in_for_everyone() or access.is_administrator(user):
                yield user

    def save(self, **_ignored):
        """Send a link to each matching account, unless the address has had its share this hour."""
        email = self.cleaned_data["email"]
        users = list(self.get_users(email))
        if not users or not _address_may_receive(email):
            return
        for user in users:
            context = {"recipient": user, "link": reset_link(user), "hours": LINK_HOURS}
            to = [emails.address(user.display_name, user.email)]
            transaction.on_commit(lambda context=context, to=to: emails.send("password_reset", to, context))


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The new password twice, with the same hint and messages as changing it."""

    error_messages = {
        **auth_forms.SetPasswordForm.error_messages,
        "password_mismatch": "The new passwords do not match. Enter the same new password twice",
    }

    def __init__(self, *args, **kwargs):
        from crispy_forms_gds.helper import FormHelper
        from crispy_forms_gds.layout import Button, Field, Layout

        from accounts.forms import password_hint

        super().__init__(*args, **kwargs)
        new1, new2 = self.fields["new_password1"], self.fields["new_password2"]
        new1.label, new1.help_text = "New password", password_hint()
        new1.error_messages["required"] = "Enter a new password"
        new1.widget.attrs.pop("autofocus", None)
        new2.label, new2.help_text = "Confirm new password", ""
        new2.error_messages["required"] = "Enter the new password again"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("new_password1", css_class="govuk-!-width-two-thirds"),
            Field("new_password2", css_class="govuk-!-width-two-thirds"),
            Button("submit", "Set new password"),
        )

    def validate_password_for_user(self, user, password_field_name="new_password2"):
        super().validate_password_for_user(user, "new_password1")
