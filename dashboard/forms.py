"""The dashboard's filters: plan year, "as at" quarter, theme and partner (query string)."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from core import clock
from core.quarters import Quarter, financial_year_label

LIVE = ""


class DashboardFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="Plan year", coerce=int, required=False)
    as_at = forms.TypedChoiceField(
        label="As at",
        coerce=int,
        required=False,
        help_text="The picture at the end of a past quarter, as it was reported.",
    )
    theme = forms.TypedChoiceField(label="Theme", coerce=int, required=False)
    partner = forms.ChoiceField(label="Partner", required=False)

    def __init__(self, data, *, strategy, plan_years, themes, partners, year_labels=None):
        super().__init__(data)
        self.strategy = strategy
        labels = year_labels or {}
        self.fields["year"].choices = [(y, labels.get(y) or financial_year_label(y)) for y in plan_years]
        # Only quarters that have ended: "as at" the current one would claim a future date.
        quarters = strategy.quarters(up_to=clock.last_ended_quarter())
        self.fields["as_at"].choices = [
            (LIVE, "Latest updates"),
            *((q.code, q.label) for q in reversed(quarters)),
        ]
        self.fields["theme"].choices = [("", "All themes"), *((t.number, str(t)) for t in themes)]
        self.fields["partner"].choices = [("", "All partners"), *((p.slug, p.name) for p in partners)]
        for name, message in {
            "year": "Choose a plan year of the strategy",
            "as_at": "Choose a quarter that has ended, or latest updates",
            "theme": "Choose one of the strategy's themes",
            "partner": "Choose one of the partner authorities",
        }.items():
            self.fields[name].error_messages["invalid_choice"] = message
        self.helper = FormHelper()
        self.helper.form_tag = False
        # A GET form: no CSRF token, which would otherwise sit in every bookmarked address.
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.select("year"),
            Field.select("as_at"),
            Field.select("theme"),
            Field.select("partner"),
            Button("show", "Show figures", css_class="govuk-button--secondary"),
        )

    def value(self, name):
        """The cleaned value, or None when it was blank or not valid (its error is shown)."""
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return None
        value = self.cleaned_data.get(name)
        return None if value in (None, "") else value

    def clean(self):
        cleaned = super().clean()
        year, code = cleaned.get("year"), cleaned.get("as_at")
        if year not in (None, "") and code not in (None, "") and Quarter.from_code(code) < Quarter(year, 1):
            # A plan has no picture before its year begins (selectors.picture_period).
            first = Quarter(year, 1)
            self.add_error(
                "as_at",
                f"The {financial_year_label(year)} plan starts in {first.label}: "
                "choose it or a later quarter",
            )
        return cleaned
