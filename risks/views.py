"""The register with its heat map, a risk's page, and the owner's review form.

Thin views: reads through risks.selectors, the one write through risks.services.review_create,
every "may they?" through accounts.access.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import access
from actionplan.views import page_numbers
from core import clock
from risks import charts, rules, selectors, services
from risks.forms import RegisterFilterForm, ReviewForm
from themes.selectors import active_strategy

PAGE_SIZE = 50


def _require_viewer(request: HttpRequest) -> None:
    if not access.can_view_risks(request.user):
        raise PermissionDenied


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    strategy = active_strategy()
    if strategy is None:
        return render(request, "risks/no_strategy.html", {"nav_risks": True})
    form = RegisterFilterForm(request.GET, strategy=strategy)
    valid = form.is_valid()
    result = selectors.register(
        strategy, quarter=form.as_at, filters=form.filters() if valid else None, light=True
    )
    query = request.GET.copy()
    for name in ("likelihood", "impact", "page"):
        query.pop(name, None)

    def cell_link(cell) -> str:
        params = query.copy()
        params["likelihood"], params["impact"] = cell.likelihood, cell.impact
        return f"?{params.urlencode()}#risks"

    page = Paginator(result.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    listed = request.GET.copy()
    listed.pop("page", None)
    title = f"Heat map of current risk scores, {_as_at_words(form)}"
    return render(
        request,
        "risks/register.html",
        {
            "strategy": strategy,
            "form": form,
            "register": result,
            "heat_map": charts.heat_map(result.heat_rows, chart_id="heat-map", title=title, link=cell_link),
            "heat_title": title,
            "page": page,
            "page_numbers": page_numbers(page),
            "query": listed.urlencode(),
            "heat_table": [[(cell, cell_link(cell)) for cell in line] for line in result.heat_rows],
            "as_at_words": _as_at_words(form),
            "filtered": valid and any(form.cleaned_data.get(n) for n in form.fields if n != "quarter"),
            "impact_labels": [rules.impact_label(n) for n in rules.LEVELS],
            "nav_risks": True,
        },
        status=200 if valid else 400,
    )


def _as_at_words(form: RegisterFilterForm) -> str:
    chosen = form.cleaned_data.get("quarter") if form.is_valid() else None
    quarter = form.as_at
    return (
        f"as at the end of {quarter.label}"
        if chosen
        else f"as at the end of {quarter.label}, whose reviews are due now"
    )


@require_GET
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_viewer(request)
    risk = get_object_or_404(selectors.risk_queryset(), pk=pk)
    return _detail(request, risk, form=None)


@require_http_methods(["POST"])
def risk_review(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(selectors.risk_queryset(), pk=pk)
    if not access.can_review_risk(request.user, risk):
        raise PermissionDenied
    window = services.review_window(risk)
    if not window.is_open:
        return _detail(request, risk, form=None, status=409)
    form = ReviewForm(request.POST, risk=risk, window=window)
    conflict = None
    if form.is_valid():
        try:
            review = services.review_create(
                risk=risk,
                author=request.user,
                draft=form.draft(),
                seen_review_id=form.cleaned_data.get("seen_review_id"),
            )
        except services.ReviewConflict as exc:
            conflict = exc.newer
            # Keep what they typed; saving again now means they have seen it.
            data = request.POST.copy()
            data["seen_review_id"] = str(conflict.pk)
            form = ReviewForm(data, risk=risk, window=window)
            form.is_valid()
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict)
        else:
            if review.needs_sign_off:
                messages.success(
                    request,
                    f"Your review for {review.quarter.label} has been submitted for sign-off: "
                    "it counts once an approver has approved it.",
                )
            else:
                messages.success(request, f"Your review for {review.quarter.label} has been saved.")
            return redirect(risk.get_absolute_url() + "#history")
    return _detail(request, risk, form=form, conflict=conflict)


def _detail(request, risk, *, form, conflict=None, status=200) -> HttpResponse:
    band_list = selectors.bands(risk.strategy)
    entries = selectors.history(risk, band_list)
    counted = [e for e in entries if e.movement is not None]
    current = counted[0] if counted else None
    may_review = access.can_review_risk(request.user, risk)
    window = services.review_window(risk) if may_review else None
    if form is None and window is not None and window.is_open:
        newest = services.newest_review(risk)
        last = current.review if current else None
        form = ReviewForm(
            initial={
                "seen_review_id": newest.pk if newest else None,
                "controls": last.controls if last else risk.existing_controls,
            },
            risk=risk,
            window=window,
        )
    mitigations = selectors.mitigations(risk)
    return render(
        request,
        "risks/risk_detail.html",
        {
            "risk": risk,
            "current": current,
            "history": entries,
            "pending": [e for e in entries if e.state == "pending"],
            "mitigations": mitigations,
            "flagged": [m for m in mitigations if m.flagged],
            "further_actions": list(risk.further_actions.select_related("owner")),
            "inherent_band": rules.band_of(risk.inherent_score, band_list),
            "target_band": rules.band_of(risk.target_score, band_list),
            "form": form,
            "conflict": conflict,
            "review_closed_reason": window.reason if window is not None and not window.is_open else "",
            "today": clock.today(),
            "likelihood_labels": rules.LIKELIHOOD_LABELS,
            "impact_labels": rules.IMPACT_LABELS,
            "nav_risks": True,
        },
        status=status,
    )
