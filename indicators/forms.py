"""The indicator pages' forms: the scorecard's filter and the value form. They collect
answers; indicators.services decides."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Div, Field, Fixed, Hidden, Layout
from django import forms

from accounts.models import User
from actionplan import window
from core import clock
from core.quarters import Quarter, financial_year_label
from indicators import rules, services
from indicators.models import Indicator
from indicators.periods import Period, periods_between
from themes.models import PartnerAuthority

WHOLE_SERVICE = ""
_UNIT_HINTS = {
    "percentage": "As a percentage, such as 87.5",
    "number": "A number",
    "currency": "In pounds",
    "days": "In days",
    "hours": "In hours",
}


class NumberField(forms.CharField):
    """A number as people type it (commas and a % or £ allowed), as a Decimal."""

    def __init__(self, *, noun: str, **kwargs):
        super().__init__(**kwargs)
        self.noun = noun
        self.widget.attrs.update({"inputmode": "decimal", "spellcheck": "false"})

    def to_python(self, value):
        text = (super().to_python(value) or "").strip().replace(",", "").strip("%£ ")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(f"{self.noun} must be a number, like 87.5") from None
        if not number.is_finite():
            raise forms.ValidationError(f"{self.noun} must be a number, like 87.5")
        return number


class PeriodField(forms.ChoiceField):
    """Offers the periods open now, but accepts any period: which ones can take a value is the
    service's rule, so a quarter locked after the form was opened is refused with the reason."""

    def valid_value(self, value):
        return True


class ValueForm(forms.Form):
    period = PeriodField(label="Period")
    partner = forms.ChoiceField(label="Council", required=False)
    actual = NumberField(label="Value", noun="The value", required=False)
    numerator = NumberField(label="Numerator (optional)", noun="The numerator", required=False)
    denominator = NumberField(label="Denominator (optional)", noun="The denominator", required=False)
    commentary = forms.CharField(label="Commentary", required=False, widget=forms.Textarea)
    seen_value_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, indicator: Indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        open_periods = open_periods_of(indicator)
        self.fields["period"].choices = [("", "Choose a period")] + [(p.code, p.label) for p in open_periods]
        self.fields["period"].help_text = (
            "Periods of a quarter reported to the board are locked and not listed."
            if window.locked_up_to()
            else ""
        )
        hint = _UNIT_HINTS[indicator.unit]
        self.fields[
            "actual"
        ].help_text = f"{hint}. Leave it empty to work it out from the numerator and denominator."
        self.fields[
            "numerator"
        ].help_text = "For a rate, what was counted (for example calls resolved first time)."
        self.fields["denominator"].help_text = "And out of how many (for example all calls)."
        self.fields["commentary"].help_text = (
            f"Required when the value is red: what caused it and what is being done. "
            f"At most {services.COMMENTARY_LIMIT:,} characters."
        )
        self.partners = (
            {p.slug: p for p in PartnerAuthority.objects.order_by("name")} if indicator.per_partner else {}
        )
        self.fields["partner"].choices = [(WHOLE_SERVICE, "The whole service")] + [
            (slug, p.name) for slug, p in self.partners.items()
        ]
        layout = [Field.select("period")]
        if indicator.per_partner:
            layout.append(Field.select("partner"))
        else:
            del self.fields["partner"]
        layout += [
            Field.text("actual", field_width=Fixed.TEN),
            Div(
                Field.text("numerator", field_width=Fixed.TEN),
                Field.text("denominator", field_width=Fixed.TEN),
            ),
            Field.textarea("commentary", rows=5),
            Hidden("seen_value_id", self["seen_value_id"].value() or ""),
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*layout)

    def clean_period(self):
        code = self.cleaned_data.get("period")
        if not code:
            return None
        try:
            return Period.parse(code, self.indicator.frequency)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_partner(self):
        slug = self.cleaned_data.get("partner") or WHOLE_SERVICE
        if slug and slug not in self.partners:
            raise forms.ValidationError("Choose a council from the list.")
        return self.partners.get(slug)

    def clean(self):
        data = super().clean()
        # The service's rules beside the answers' own errors: every problem at once.
        self.add_service_errors(
            services.value_errors(indicator=self.indicator, draft=self.draft(data), format_errors=self.errors)
        )
        return data

    def draft(self, data: dict | None = None) -> services.ValueDraft:
        return services.ValueDraft.from_values(self.cleaned_data if data is None else data)

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            field = key if key in self.fields else None
            if field is not None and field in self.errors:
                continue
            for message in messages:
                self.add_error(field, message)


def open_periods_of(indicator: Indicator) -> list[Period]:
    """The periods a value can be recorded for now, newest first: ended, in the strategy's
    years and not locked (the service checks again when saving)."""
    strategy = indicator.strategy
    locked = window.locked_up_to()
    first = Period.ending(Quarter(strategy.first_year, 1).last_day, indicator.frequency)
    last = Period.ending(min(clock.today(), Quarter(strategy.last_year, 4).last_day), indicator.frequency)
    return [
        p
        for p in reversed(periods_between(first, last))
        if p.end <= clock.today() and (locked is None or p.quarter > locked)
    ]


class ScorecardFilter(forms.Form):
    """The scorecard's question: which plan year and quarter, and which indicators."""

    year = forms.TypedChoiceField(label="Plan year", coerce=int)
    quarter = forms.TypedChoiceField(
        label="Quarter", coerce=int, choices=[(n, f"Q{n}") for n in (1, 2, 3, 4)]
    )
    theme = forms.ModelChoiceField(queryset=None, required=False, empty_label="All themes")
    partner = forms.ModelChoiceField(
        label="Council", queryset=PartnerAuthority.objects.order_by("name"), required=False,
        empty_label="The whole service", to_field_name="slug",
    )  # fmt: skip
    rag = forms.ChoiceField(
        label="RAG",
        required=False,
        choices=[("", "Any")] + [(k, rules.RAG_LABELS[k]) for k in rules.SCORECARD_ORDER],
    )
    owner = forms.ModelChoiceField(queryset=None, required=False, empty_label="Anyone")

    def __init__(self, data, *, strategy):
        self.strategy = strategy
        default = clock.reporting_quarter()
        latest = min(default, Quarter(strategy.last_year, 4))
        super().__init__({"year": latest.year, "quarter": latest.number, **(data.dict() if data else {})})
        years = [y for y in strategy.years if y <= clock.current_financial_year()]
        self.fields["year"].choices = [(y, financial_year_label(y)) for y in reversed(years)]
        self.fields["theme"].queryset = strategy.themes.order_by("number")
        self.fields["owner"].queryset = (
            User.objects.filter(owned_indicators__strategy=strategy)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["owner"].label_from_instance = lambda user: user.display_name
        self.default = latest
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Div(
                *(Field.select(name) for name in ("year", "quarter", "theme", "partner", "rag", "owner")),
                css_class="app-filter__selects",
            )
        )

    def clean(self):
        data = super().clean()
        if "year" in data and "quarter" in data:
            quarter = Quarter(data["year"], data["quarter"])
            if quarter > clock.current_quarter():
                self.add_error("quarter", f"{quarter.label} has not started yet: choose an earlier quarter.")
            else:
                data["as_at"] = quarter
        return data
