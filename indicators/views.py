"""The indicator pages: the scorecard, and each indicator with its history and value form.

Thin views: reads through indicators.selectors, the one write through
indicators.services.value_create, every "may they?" through accounts.access.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import access
from actionplan import window
from actionplan.views import page_numbers
from indicators import charts, rules, selectors, services
from indicators.forms import ScorecardFilter, ValueForm
from indicators.models import Indicator
from themes import selectors as strategies
from themes.models import PartnerAuthority

PAGE_SIZE = 50


def _require_viewer(request: HttpRequest) -> None:
    if not access.can_view_indicators(request.user):
        raise PermissionDenied


@require_GET
def scorecard(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    strategy = strategies.active_strategy()
    if strategy is None:
        return render(request, "indicators/no_strategy.html", {"nav_indicators": True})
    form = ScorecardFilter(request.GET, strategy=strategy)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    quarter = data.get("as_at") or form.default
    card = selectors.scorecard(
        strategy=strategy,
        quarter=quarter,
        theme=data.get("theme"),
        partner=data.get("partner"),
        rag=data.get("rag") or None,
        owner=data.get("owner"),
    )
    base = {"year": quarter.year, "quarter": quarter.number}
    for name in ("theme", "partner", "owner"):
        if data.get(name):
            base[name] = data[name].slug if name == "partner" else data[name].pk

    def link(**extra) -> str:
        return "?" + urlencode({**base, **extra})

    count_links = [
        {"key": key, "label": rules.RAG_LABELS[key], "count": card.counts[key], "url": link(rag=key)}
        for key in rules.SCORECARD_ORDER
    ]
    theme_rows = [
        {
            "theme": entry["theme"],
            "total": entry["total"],
            "url": link(theme=entry["theme"].pk),
            "cells": [
                {"count": entry["counts"][key], "url": link(theme=entry["theme"].pk, rag=key), "label": label}
                for key, label in ((k, rules.RAG_LABELS[k]) for k in rules.SCORECARD_ORDER)
            ],
        }
        for entry in card.by_theme
    ]
    # A council's 20 or 30 headline indicators fit one page; a long list is paged like the actions.
    page = Paginator(card.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "indicators/scorecard.html",
        {
            "page": page,
            "page_numbers": page_numbers(page),
            "query": query.urlencode(),
            "strategy": strategy,
            "form": form,
            "card": card,
            "quarter": quarter,
            "count_links": count_links,
            "theme_rows": theme_rows,
            "rag_headers": [rules.RAG_LABELS[k] for k in rules.SCORECARD_ORDER],
            "all_url": link(),
            "nav_indicators": True,
        },
    )


@require_http_methods(["GET", "POST"])
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_viewer(request)
    indicator = get_object_or_404(Indicator.objects.select_related("theme", "owner", "strategy"), pk=pk)
    can_record = access.can_record_indicator_value(request.user, indicator)
    if request.method == "POST" and not can_record:
        raise PermissionDenied
    form = conflict = None
    if can_record:
        if request.method == "POST":
            form = ValueForm(request.POST, indicator=indicator)
            if form.is_valid():
                try:
                    value = services.value_create(
                        indicator=indicator,
                        author=request.user,
                        draft=form.draft(),
                        seen_value_id=form.cleaned_data.get("seen_value_id"),
                    )
                except services.ValueConflict as exc:
                    conflict = exc.newer
                    # Keep what they typed; saving again now means they have seen it.
                    data = request.POST.copy()
                    data["seen_value_id"] = str(conflict.pk)
                    form = ValueForm(data, indicator=indicator)
                    form.is_valid()
                except ValidationError as exc:
                    # Something changed since the form's own check (a quarter locked meanwhile).
                    form.add_service_errors(exc.message_dict)
                else:
                    messages.success(request, f"The value for {value.period.label} has been saved.")
                    return redirect(indicator.get_absolute_url() + "#history")
        else:
            newest = selectors.newest_value(indicator)
            form = ValueForm(initial={"seen_value_id": newest.pk if newest else None}, indicator=indicator)
    partners = list(PartnerAuthority.objects.order_by("name")) if indicator.per_partner else []
    partner = next((p for p in partners if p.slug == request.GET.get("partner")), None)
    history = selectors.indicator_history(indicator, partner=partner)
    shown = history.periods[-24:]
    points = [
        charts.Point(
            label=row.period.short_label,
            actual=row.value.actual,
            target=row.target.target if row.target else None,
            band=charts.tolerance_band(row.target.target, row.target.amber_limit, indicator.polarity)
            if row.target and not indicator.is_activity
            else None,
        )
        for row in shown
    ]
    chart = charts.history_chart(
        points,
        chart_id=f"indicator-{indicator.pk}-chart",
        title=f"{indicator.name}: the last {len(points)} values against target",
        fmt=indicator.format,
    )
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "indicator": indicator,
            "history": history,
            "recent": list(reversed(shown)),
            "older": history.newest_first[len(shown) :],
            "chart": chart,
            "form": form,
            "conflict": conflict,
            "can_record": can_record,
            "locked": window.locked_up_to(),
            "rated_monthly": rules.rated_monthly(indicator),
            "partners": partners,
            "partner": partner,
            "nav_indicators": True,
        },
    )
