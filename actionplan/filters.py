"""The one filter of actions, shared by the /actions/ page, its CSV export and the API.

Every filter reads an action's state row (actionplan.selectors.with_state): now, or
with `as_at` at the end of a past quarter; the whole action's (the roll-up of its
councils, the worst of them) or, with `partner`, that council's own. So a figure of
the dashboard links to exactly the actions it counts. "Overdue", the RAG order and
"not yet reported" are actionplan.rules'. Choices for the page's selects are
callables, so they are only queried when a form is rendered, never when the API filters.
"""

from __future__ import annotations

import datetime
import functools

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from accounts.models import User
from actionplan import rules, selectors
from actionplan.models import Action, ActionPlan, ProgressUpdate, by_reference
from core import clock
from core.quarters import Quarter, financial_year_label
from themes.models import PartnerAuthority

Status = ProgressUpdate.Status
Rag = ProgressUpdate.Rag

RAG_CHOICES = [*Rag.choices, (rules.NOT_REPORTED, rules.NOT_REPORTED_LABEL)]
# Links made before "not yet reported" had one spelling said rag=not_started: still accepted.
_OLD_NOT_REPORTED = "not_started"

ORDERINGS = {
    "reference": ("theme__number", "reference", "-plan__year"),
    "title": ("title", "reference"),
    "due": ("state_due_date", "theme__number", "reference"),
    "rag": ("rag_rank", "theme__number", "reference"),
    "status": ("state_status", "theme__number", "reference"),
    "lead": ("lead_officer__first_name", "lead_officer__last_name", "theme__number", "reference"),
    "updated": ("latest_update__created_at", "theme__number", "reference"),
}
ORDERING_LABELS = {
    "reference": ("Reference", "Reference, last first"),
    "title": ("Title, A to Z", "Title, Z to A"),
    "due": ("Due date, soonest first", "Due date, latest first"),
    "rag": ("RAG, red first", "RAG, completed first"),
    "status": ("Status", "Status, reversed"),
    "lead": ("Lead officer, A to Z", "Lead officer, Z to A"),
    "updated": ("Least recently updated", "Most recently updated"),
}
ORDERING_CHOICES = [
    *((key, labels[0]) for key, labels in ORDERING_LABELS.items()),
    *((f"-{key}", labels[1]) for key, labels in ORDERING_LABELS.items()),
]
DEFAULT_ORDERING = "reference"


def order_terms(value: str) -> list:
    """order_by() terms for an ORDERINGS key ("-key" reverses every term)."""
    descending = value.startswith("-")
    terms = []
    for field in ORDERINGS[value.lstrip("-")]:
        if field == "reference":
            terms += by_reference(descending=descending)
        elif descending:
            terms.append(field[1:] if field.startswith("-") else f"-{field}")
        else:
            terms.append(field)
    return [*terms, "-pk" if descending else "pk"]


def _ended_quarter(value) -> None:
    """as_at must name a quarter that has ended: a later one has no end-of-quarter picture yet."""
    try:
        quarter = Quarter.from_code(int(value))
    except (TypeError, ValueError):
        raise forms.ValidationError("Give a quarter as its code, such as 20222 for 2022/23 Q2.") from None
    if quarter > clock.last_ended_quarter():
        raise forms.ValidationError(f"{quarter.label} has not ended yet: choose a quarter that has.")


OVERDUE_CHOICES = [("", "Overdue or not"), ("true", "Overdue only"), ("false", "Not overdue")]


def _year_choices():
    # A year whose plans all have one status is named as its plan is (ActionPlan's label).
    statuses: dict[int, set] = {}
    for year, status in ActionPlan.objects.order_by("-year").values_list("year", "status"):
        statuses.setdefault(year, set()).add(status)

    def label(year, found):
        if len(found) != 1:
            return financial_year_label(year)
        return ActionPlan(year=year, status=next(iter(found))).year_and_status_label

    return [("", "All years"), *((year, label(year, found)) for year, found in statuses.items())]


def _theme_choices():
    # Theme numbers repeat across strategies; one entry per number, newest title.
    from themes.models import Theme

    titles = {}
    for number, title in Theme.objects.order_by("strategy__first_year").values_list("number", "title"):
        titles[number] = title
    return [("", "All themes"), *((n, f"{n}. {titles[n]}") for n in sorted(titles))]


def _partner_choices():
    return [("", "All partners"), *PartnerAuthority.objects.values_list("slug", "name")]


def _lead_choices():
    # EXISTS probes the lead officer index per user; a join would read every action.
    leads = User.objects.filter(Exists(Action.objects.filter(lead_officer=OuterRef("pk")))).order_by(
        "first_name", "last_name"
    )
    return [("", "All lead officers"), *((u.username, u.display_name) for u in leads)]


class ActionFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(
        field_name="plan__year",
        label="Plan year",
        widget=forms.Select(choices=_year_choices),
    )
    theme = django_filters.NumberFilter(
        field_name="theme__number", label="Theme", widget=forms.Select(choices=_theme_choices)
    )
    partner = django_filters.CharFilter(
        method="filter_partner",
        label="Partner",
        widget=forms.Select(choices=_partner_choices),
    )
    status = django_filters.ChoiceFilter(
        choices=Status.choices, method="filter_status", label="Status", empty_label="All statuses"
    )
    rag = django_filters.ChoiceFilter(
        choices=RAG_CHOICES, method="filter_rag", label="RAG", empty_label="All RAG ratings"
    )
    lead = django_filters.CharFilter(
        field_name="lead_officer__username",
        label="Lead officer",
        widget=forms.Select(choices=_lead_choices),
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label="Overdue",
        widget=forms.Select(choices=OVERDUE_CHOICES),
    )
    as_at = django_filters.NumberFilter(
        method="filter_as_at",
        label="As at the end of",
        help_text="A past quarter, such as 20222 for 2022/23 Q2: each action as it stood then.",
        validators=[lambda value: _ended_quarter(value)],
    )
    q = django_filters.CharFilter(
        method="filter_text",
        label="Search",
        help_text="Reference, title or commentary.",
    )
    ordering = django_filters.ChoiceFilter(
        choices=ORDERING_CHOICES, method="filter_ordering", label="Sort by", empty_label=None
    )

    class Meta:
        model = Action
        fields = ["year", "theme", "partner", "status", "rag", "lead", "overdue", "as_at", "q", "ordering"]

    def __init__(self, data=None, *args, **kwargs):
        # The plan year defaults to the current financial year; "year=" (blank)
        # asks for every year.
        if data is not None and ("year" not in data or data.get("rag") == _OLD_NOT_REPORTED):
            data = data.copy()
            data.setdefault("year", str(clock.current_financial_year()))
            if data.get("rag") == _OLD_NOT_REPORTED:
                data["rag"] = rules.NOT_REPORTED
        super().__init__(data, *args, **kwargs)

    def filter_queryset(self, queryset):
        # Every state filter, the sort and the page read the same state row.
        queryset = selectors.with_state(queryset, quarter=self.as_at_quarter, partner=self.state_partner)
        queryset = queryset.annotate(rag_rank=rules.rag_rank_expression("state_rag"))
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by(*order_terms(DEFAULT_ORDERING))
        return queryset

    @functools.cached_property
    def state_partner(self) -> PartnerAuthority | None:
        """The council whose own states are read (None: the whole action's)."""
        value = (self.form.cleaned_data.get("partner") or "").strip()
        if not value:
            return None
        return PartnerAuthority.objects.filter(Q(slug=value) | Q(short_name__iexact=value)).first()

    @property
    def as_at_quarter(self) -> Quarter | None:
        """The past quarter whose end the states are read at (None: now)."""
        code = self.form.cleaned_data.get("as_at")
        return Quarter.from_code(int(code)) if code else None

    @property
    def as_of(self) -> datetime.date:
        """The day "overdue" is judged on: today, or the as-at quarter's last day."""
        quarter = self.as_at_quarter
        return quarter.last_day if quarter else clock.today()

    def filter_as_at(self, queryset, name, value):
        return queryset  # read in filter_queryset: it chooses the state row

    def filter_partner(self, queryset, name, value):
        partners = PartnerAuthority.objects.filter(Q(slug=value) | Q(short_name__iexact=value))
        served = Action.partners.through.objects.filter(partnerauthority__in=partners)
        return queryset.filter(pk__in=served.values("action_id"))

    def filter_status(self, queryset, name, value):
        if value == Status.NOT_STARTED:
            return queryset.filter(Q(state_status__isnull=True) | Q(state_status=value))
        return queryset.filter(state_status=value)

    def filter_rag(self, queryset, name, value):
        if value == rules.NOT_REPORTED:
            return queryset.filter(Q(state_rag__isnull=True) | Q(state_rag=value))
        return queryset.filter(state_rag=value)

    def filter_overdue(self, queryset, name, value):
        rule = rules.overdue_state_q(self.as_of, prefix="state_")
        return queryset.filter(rule) if value else queryset.exclude(rule)

    def filter_text(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(reference__icontains=text)
            | Q(title__icontains=text)
            | Q(latest_update__commentary__icontains=text)
        )

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(*order_terms(value))
