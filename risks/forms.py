"""The register's filter and the review form. They collect answers; risks.services decides."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Div, Field, Layout, Size
from django import forms

from accounts.models import User
from actionplan.forms import QuarterField
from core import clock
from core.quarters import Quarter
from risks import rules, selectors, services
from risks.models import REVIEW_TEXT_LIMITS, RiskReview

MOVED_CHOICES = [
    ("", "Any"),
    ("moved", "Moved up or down"),
    ("up", "Risen"),
    ("down", "Fallen"),
    ("unchanged", "Unchanged"),
    ("new", "First review"),
]
BAND_CHOICES = [("", "Any"), ("high", "High"), ("medium", "Medium"), ("low", "Low")]
LEVEL_CHOICES = [("", "Any"), *((str(n), str(n)) for n in rules.LEVELS)]


class RegisterFilterForm(forms.Form):
    """The register's filters, read from the query string by the page and the API alike."""

    quarter = forms.TypedChoiceField(label="As at the end of", coerce=int, required=False)
    theme = forms.TypedChoiceField(label="Theme", coerce=int, required=False)
    owner = forms.TypedChoiceField(label="Owner", coerce=int, required=False)
    band = forms.ChoiceField(label="Band", choices=BAND_CHOICES, required=False)
    outside_appetite = forms.ChoiceField(
        label="Appetite", choices=[("", "Any"), ("yes", "Outside appetite")], required=False
    )
    moved = forms.ChoiceField(label="Since last quarter", choices=MOVED_CHOICES, required=False)
    likelihood = forms.TypedChoiceField(label="Likelihood", choices=LEVEL_CHOICES, coerce=int, required=False)
    impact = forms.TypedChoiceField(label="Impact", choices=LEVEL_CHOICES, coerce=int, required=False)

    def __init__(self, data, *, strategy, **kwargs):
        super().__init__(data, **kwargs)
        self.strategy = strategy
        quarters = list(reversed(strategy.quarters(up_to=clock.current_quarter())))
        self.fields["quarter"].choices = [("", f"{clock.reporting_quarter().label}: reviews due now")] + [
            (q.code, q.label) for q in quarters
        ]
        self.fields["theme"].choices = [("", "Any")] + [
            (t.number, f"{t.number}. {t.title}") for t in strategy.themes.order_by("number")
        ]
        owners = (
            User.objects.filter(owned_risks__strategy=strategy).distinct().order_by("first_name", "last_name")
        )
        self.fields["owner"].choices = [("", "Anyone")] + [(u.pk, u.display_name) for u in owners]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Div(*(Field.select(name) for name in self.fields), css_class="app-filter__selects")
        )

    @property
    def as_at(self) -> Quarter:
        code = self.cleaned_data.get("quarter") if self.is_valid() else None
        return Quarter.from_code(code) if code else clock.reporting_quarter()

    def filters(self) -> selectors.Filters:
        data = self.cleaned_data
        theme = self.strategy.themes.filter(number=data["theme"]).first() if data.get("theme") else None
        owner = User.objects.filter(pk=data["owner"]).first() if data.get("owner") else None
        return selectors.Filters(
            theme=theme,
            owner=owner,
            band=data.get("band") or "",
            outside_appetite=data.get("outside_appetite") == "yes",
            moved=data.get("moved") or "",
            likelihood=data.get("likelihood") or None,
            impact=data.get("impact") or None,
        )


def _level_choices(labels) -> list[tuple[int, str]]:
    return [(n, f"{n} {labels[n]}") for n in reversed(rules.LEVELS)]


class ReviewForm(forms.Form):
    seen_review_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    quarter = QuarterField(
        label="Which quarter are you reviewing?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the quarter you are reviewing"},
    )
    likelihood = forms.TypedChoiceField(
        label="How likely is it now, with the controls in place?",
        choices=_level_choices(rules.LIKELIHOOD_LABELS),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the likelihood, a level from 1 to 5"},
    )
    impact = forms.TypedChoiceField(
        label="How great would its impact be?",
        choices=_level_choices(rules.IMPACT_LABELS),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the impact, a level from 1 to 5"},
    )
    control_effectiveness = forms.ChoiceField(
        label="How effective are the controls?",
        choices=RiskReview.Effectiveness.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how effective the controls are"},
    )
    controls = forms.CharField(
        label="Controls in place",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"What reduces the risk now. At most {REVIEW_TEXT_LIMITS['controls']:,} characters.",
        error_messages={"required": "Describe the controls in place"},
    )
    commentary = forms.CharField(
        label="Commentary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Required when the score rises or is above the risk's appetite. "
        f"At most {REVIEW_TEXT_LIMITS['commentary']:,} characters.",
    )

    def __init__(self, *args, risk, window, **kwargs):
        super().__init__(*args, **kwargs)
        self.risk = risk
        self.fields["quarter"].choices = [(q.code, q.label) for q in window.quarters]
        if window.default and not self.is_bound:
            self.initial.setdefault("quarter", window.default.code)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "seen_review_id",
            Field.radios("quarter", legend_size=Size.MEDIUM, inline=True),
            Field.radios("likelihood", legend_size=Size.MEDIUM),
            Field.radios("impact", legend_size=Size.MEDIUM),
            Field.radios("control_effectiveness", legend_size=Size.MEDIUM),
            Field.textarea("controls", label_size=Size.MEDIUM),
            Field.textarea("commentary", label_size=Size.MEDIUM),
            Button("submit", "Save the review"),
        )

    def draft(self) -> services.ReviewDraft:
        values = dict(self.cleaned_data)
        code = values.get("quarter")
        values["quarter"] = Quarter.from_code(code) if code else None
        return services.ReviewDraft.from_values(values)

    def full_clean(self):
        """The fields' own checks, then every rule of the service at once (review_errors)."""
        super().full_clean()
        if not self.is_bound:
            return
        values = {name: self.cleaned_data.get(name) for name in self.fields}
        code = values.get("quarter")
        values["quarter"] = Quarter.from_code(code) if code else None
        format_errors = {name: list(errors) for name, errors in self.errors.items()}
        errors = services.review_errors(
            risk=self.risk, draft=services.ReviewDraft.from_values(values), format_errors=format_errors
        )
        for name, messages in errors.items():
            if name not in self.errors:
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    @property
    def error_links(self) -> list[tuple[str, str]]:
        """Radios link to their first option, as GOV.UK's error summary does."""
        links = []
        for error in self.non_field_errors():
            links.append(("quarter", error))
        for name in self.fields:
            for error in self.errors.get(name, []):
                anchor = f"id_{name}" if name in ("controls", "commentary") else f"id_{name}_1"
                links.append((anchor, error))
        return links
