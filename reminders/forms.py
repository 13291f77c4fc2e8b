from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.contrib.auth import get_user_model
from django.utils.html import conditional_escape

from core.quarters import Quarter


class QuarterForm(forms.Form):
    """Which quarter the missing-updates page shows."""

    quarter = forms.TypedChoiceField(coerce=int, label="Quarter")

    def __init__(self, *args, quarters: list[Quarter], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [(q.code, q.label) for q in reversed(quarters)]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.select("quarter"), Button("show", "Show", css_class="govuk-button--secondary")
        )


class RemindNowForm(forms.Form):
    """The "remind now" button beside one officer on the missing-updates page."""

    officer = forms.ModelChoiceField(queryset=get_user_model().objects.all(), widget=forms.HiddenInput)
    quarter = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, label: str = "Remind now", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = "reminders:remind"
        self.helper.layout = Layout(
            "officer",
            "quarter",
            # crispy-forms-gds prints a button's text unescaped; the label holds a person's name.
            Button(
                "remind",
                conditional_escape(label),
                css_class="govuk-button--secondary govuk-!-margin-bottom-0",
            ),
        )

    def clean_quarter(self):
        try:
            return Quarter.from_code(self.cleaned_data["quarter"])
        except ValueError as exc:
            raise forms.ValidationError("Choose a quarter.") from exc


class RemindEveryoneForm(forms.Form):
    """The confirmation page's button: remind every officer missing an update for the quarter."""

    quarter = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, count: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = "reminders:remind_everyone"
        self.helper.layout = Layout(
            "quarter",
            Button("send", f"Send {count} reminder{'' if count == 1 else 's'}"),
        )

    def clean_quarter(self):
        try:
            return Quarter.from_code(self.cleaned_data["quarter"])
        except ValueError as exc:
            raise forms.ValidationError("Choose a quarter.") from exc
