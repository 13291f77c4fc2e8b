import re

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fixed, Fluid, Layout
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import get_default_password_validators


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("username", field_width=Fluid.TWO_THIRDS),
            Field("password", css_class="govuk-!-width-two-thirds"),
            Button("submit", "Sign in"),
        )


class CodeForm(forms.Form):
    """A 6-digit code from an authenticator app: to sign in, to confirm a new device, to remove one.

    Whether the code is right is for accounts.two_factor.check_code; this only
    checks its shape, forgiving the spaces and dashes some apps show.
    """

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6 digits your app shows for this portal now, for example 123456.",
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        max_length=20,
    )

    def __init__(self, *args, button: str = "Continue", destructive: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text(
                "code",
                field_width=Fixed.TEN,
                autocomplete="one-time-code",
                inputmode="numeric",
                spellcheck="false",
            ),
            Button.warning("submit", button) if destructive else Button("submit", button),
        )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError("Enter the code as 6 digits, for example 123456", code="format")
        return code

    def wrong_code(self, wait_seconds: int = 0) -> None:
        if wait_seconds:
            self.add_error(
                "code",
                f"You entered a wrong code too many times. Wait {wait_seconds} "
                f"second{'s' if wait_seconds != 1 else ''}, then enter the code your app shows then",
            )
        else:
            self.add_error(
                "code",
                "The code is not right. Enter the code your app shows now (each code works once)",
            )


def password_hint() -> str:
    """The new password's rules in one sentence, with the lengths the validators are set to."""
    lengths = {
        name: getattr(v, name)
        for v in get_default_password_validators()
        for name in ("min_length", "max_length")
        if hasattr(v, name)
    }
    length = f"At least {lengths.get('min_length', 8)} characters"
    if "max_length" in lengths:
        length += f" and at most {lengths['max_length']}"
    return (
        f"{length}: a passphrase of several words is best. "
        "Not a common password, not only numbers, and not like your name, username or email address."
    )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's password change (current password, then the new one twice), in GOV.UK style.

    The project's validators (settings.AUTH_PASSWORD_VALIDATORS) apply; their rules
    are the new password's hint, and their errors are shown on that field.
    """

    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Enter it again",
        "password_mismatch": "The new passwords do not match. Enter the same new password twice",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        old, new1, new2 = (self.fields[n] for n in ("old_password", "new_password1", "new_password2"))
        old.label = "Current password"
        old.error_messages["required"] = "Enter your current password"
        old.widget.attrs.pop("autofocus", None)
        new1.label = "New password"
        new1.help_text = password_hint()
        new1.error_messages["required"] = "Enter a new password"
        new2.label = "Confirm new password"
        new2.help_text = ""
        new2.error_messages["required"] = "Enter the new password again"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("old_password", css_class="govuk-!-width-two-thirds"),
            Field("new_password1", css_class="govuk-!-width-two-thirds"),
            Field("new_password2", css_class="govuk-!-width-two-thirds"),
            Button("submit", "Change password"),
        )

    def validate_password_for_user(self, user, password_field_name="new_password2"):
        # Django reports a weak password on the confirmation box; the person typed it
        # into "New password", so that is where the error and its link go.
        super().validate_password_for_user(user, "new_password1")
