"""The committee dashboard: where the strategy stands, what changed, per council."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from accounts import access
from actionplan import figures, rules, sign_off
from actionplan.models import ActionPlan
from core import clock
from core.quarters import Quarter
from dashboard import charts, panels
from dashboard.forms import DashboardFilterForm
from themes import selectors as themes_selectors
from themes.models import PartnerAuthority, Theme

# Rows shown in each list on the screen; the counts stay exact and link to the rest.
LIST_LIMIT = 15


# The query parameters a dashboard page is made of (anything else is ignored).
PARAMETERS = ("year", "as_at", "theme", "partner")


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    if not access.has_portal_role(request.user):
        raise PermissionDenied
    # A page already drawn for this data (and date, and filters) costs one query to find.
    version = figures.data_version()
    key = _page_key(version, request)
    page = cache.get(key)
    if page is None:
        page = _draw(request, version)
        if isinstance(page, HttpResponse):
            return page
        if page["cacheable"]:
            cache.set(key, page, timeout=figures.CACHE_SECONDS)
    context = {
        "nav_dashboard": True,
        "year_label": page["year_label"],
        # Both rendered by _draw from our templates.
        "calendar": mark_safe(page["calendar"]),  # noqa: S308
        "content": mark_safe(page["content"]),  # noqa: S308
    }
    return render(request, "dashboard/dashboard.html", context)


def _page_key(version: figures.DataVersion, request: HttpRequest) -> str:
    params = urlencode([(name, request.GET.getlist(name)) for name in PARAMETERS], doseq=True)
    digest = hashlib.sha256(params.encode()).hexdigest()[:32]
    # The calendar line links administrators to the missing updates: two versions.
    audience = "admin" if access.is_administrator(request.user) else "all"
    return f"dashboard-page-v2:{version.full}:{clock.today().isoformat()}:{audience}:{digest}"


def _draw(request: HttpRequest, version: figures.DataVersion) -> dict | HttpResponse:
    """The dashboard's content for the request's filters, and whether it may be cached."""
    strategy = themes_selectors.active_strategy()
    if strategy is None:
        return render(request, "dashboard/no_strategy.html", {"nav_dashboard": True})
    plans = {p.year: p for p in ActionPlan.objects.filter(strategy=strategy).select_related("strategy")}
    themes = list(Theme.objects.filter(strategy=strategy).order_by("number"))
    partners = list(PartnerAuthority.objects.order_by("name"))
    # A draft or closed plan says so wherever it can be chosen.
    labels = {y: p.year_and_status_label for y, p in plans.items()}
    form = DashboardFilterForm(
        request.GET or None,
        strategy=strategy,
        plan_years=sorted(plans),
        themes=themes,
        partners=partners,
        year_labels=labels,
    )
    if form.is_bound:
        form.is_valid()
    quarter = _as_at(form)
    year = form.value("year") or (quarter.year if quarter else _default_year(plans))
    plan = plans.get(year)
    if plan is None:
        return render(request, "dashboard/no_strategy.html", {"nav_dashboard": True, "strategy": strategy})
    theme = next((t for t in themes if t.number == form.value("theme")), None)
    partner = next((p for p in partners if p.slug == form.value("partner")), None)
    rollup = figures.cached_summary(plan, quarter, partner, theme, list_limit=LIST_LIMIT, version=version)
    # The selects show what is on the screen (defaults included), with any errors.
    normalised = {
        "year": year,
        "as_at": quarter.code if quarter else "",
        "theme": theme.number if theme else "",
        "partner": partner.slug if partner else "",
    }
    errors = form.errors
    form = DashboardFilterForm(
        normalised,
        strategy=strategy,
        plan_years=sorted(plans),
        themes=themes,
        partners=partners,
        year_labels=labels,
    )
    form.is_valid()
    for name, messages in errors.items():
        for message in messages:
            form.add_error(name, message)
    context = _context(rollup, form, strategy)
    if strategy.updates_need_sign_off:
        # Not counted in these figures yet: said, so nobody wonders where an update went.
        quarter_shown = quarter or clock.reporting_quarter()
        context["awaiting"] = (
            quarter_shown,
            sign_off.awaiting_count(quarter=quarter_shown, strategy=strategy),
        )
    context["panels"] = panels.render_all(
        strategy=strategy, plan=plan, quarter=quarter, partner=partner, theme=theme, request=request
    )
    context["filters_open"] = bool(form.errors) or any(name in request.GET for name in PARAMETERS)
    content = render_to_string("dashboard/_content.html", context, request)
    # The calendar line ("41 of 48 received") changes with the same data as the figures.
    calendar = render_to_string("reminders/includes/calendar_summary.html", {}, request)
    return {
        "year_label": plan.year_label,
        "calendar": calendar,
        "content": content,
        "cacheable": not form.errors,
    }


def _context(rollup: figures.Rollup, form, strategy) -> dict:
    links = ListLinks(rollup)
    return {
        "strategy": strategy,
        "form": form,
        "rollup": rollup,
        "links": links,
        "charts": _charts(rollup),
        "totals": _row("All actions", rollup.totals, links),
        "theme_rows": [
            _row(f"{t.number}. {t.title}", t.tally, links.for_theme(t.number)) for t in rollup.themes
        ],
        "partner_rows": [_row(row.name, row.tally, links.for_partner(row.slug)) for row in rollup.partners],
        "status_cells": [(label, n, links.status(key)) for key, label, n in rollup.totals.status_rows],
        "rag_labels": [rules.RAG_LABELS[k] for k in rules.RAG_KEYS],
        "trend_rows": [(p.quarter.label, p.total, [p.rag[k] for k in rules.RAG_KEYS]) for p in rollup.trend],
        "excluded_labels": [rules.STATUS_LABELS[s] for s in rules.EXCLUDED_STATUSES],
    }


def _row(label: str, tally: figures.Tally, links: ListLinks) -> dict:
    """One line of a breakdown table: each figure with the list link that makes it up."""
    return {
        "label": label,
        "tally": tally,
        "total_url": links.all,
        "rag_cells": [(name, n, links.rag(key)) for key, name, n in tally.rag_rows],
        "overdue_url": links.overdue,
        "average": None if tally.average_percent is None else round(tally.average_percent),
    }


def _as_at(form) -> Quarter | None:
    code = form.value("as_at")
    return Quarter.from_code(code) if code else None


def _default_year(plans: dict[int, ActionPlan]) -> int | None:
    """The current financial year's plan, else the latest plan before it, else the first
    (None for a strategy with no plans yet, whose dashboard says so)."""
    if not plans:
        return None
    current = clock.current_financial_year()
    if current in plans:
        return current
    earlier = [y for y in plans if y < current]
    return max(earlier) if earlier else min(plans)


def _charts(rollup: figures.Rollup) -> dict[str, str]:
    label = rollup.picture_label
    return {
        key: mark_safe(svg)  # noqa: S308 - built by dashboard.charts, which escapes every text
        for key, svg in {
            "rag": charts.rag_bars(
                rollup.totals.rag, chart_id="chart-rag", title=f"Actions by RAG rating, {label}", stacked=True
            ),
            "status": charts.status_bars(
                [(name, n) for _key, name, n in rollup.totals.status_rows],
                chart_id="chart-status",
                title=f"Actions by status, {label}",
                stacked=True,
            ),
            "themes": charts.rag_rows(
                [(f"{row.number}. {row.title}", row.tally.rag) for row in rollup.themes],
                chart_id="chart-themes",
                title=f"RAG ratings by theme, {label}",
                stacked=True,
            ),
            "partners": charts.rag_rows(
                [(row.name, row.tally.rag) for row in rollup.partners],
                chart_id="chart-partners",
                title=f"RAG ratings by partner authority, {label}",
                stacked=True,
            ),
            "trend": charts.rag_trend(
                [(point.quarter.label, point.rag) for point in rollup.trend],
                chart_id="chart-trend",
                title="RAG ratings at the end of each quarter of the strategy",
            ),
        }.items()
    }


class ListLinks:
    """Links from a figure to the action list that makes it up: exactly the actions it counts.

    The list reads the same state rows as the figures (actionplan.filters.ActionFilter):
    the whole action's (the worst of its councils) or, with `partner`, that council's
    own, now or with `as_at` at the end of the quarter shown; "overdue" is judged on
    the same day as the figure.
    """

    def __init__(self, rollup: figures.Rollup, **fixed):
        self.rollup = rollup
        self.base = {"year": rollup.plan.year}
        if rollup.quarter is not None:
            self.base["as_at"] = rollup.quarter.code
        if rollup.theme is not None:
            self.base["theme"] = rollup.theme.number
        if rollup.partner is not None:
            self.base["partner"] = rollup.partner.slug
        self.base.update(fixed)

    def _url(self, **params) -> str:
        return "/actions/?" + urlencode({**self.base, **params})

    @property
    def all(self) -> str:
        return self._url()

    def rag(self, key: str) -> str:
        return self._url(rag=key)

    def status(self, key: str) -> str:
        return self._url(status=key)

    @property
    def overdue(self) -> str:
        return self._url(overdue="true")

    def for_theme(self, number: int) -> ListLinks:
        return ListLinks(self.rollup, **{**self.base, "theme": number})

    def for_partner(self, slug: str) -> ListLinks:
        return ListLinks(self.rollup, **{**self.base, "partner": slug})
