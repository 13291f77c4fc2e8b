"""Officers' pages: my actions, the action list and its CSV, an action, the update form.

Thin views: reads through ActionFilter and actionplan.selectors, the one write
through actionplan.services.update_create, every "may they?" through accounts.access.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import access
from actionplan import selectors, services
from actionplan import window as windows
from actionplan.filters import DEFAULT_ORDERING, ActionFilter
from actionplan.forms import ProgressUpdateForm, filter_helper, freeze_choices
from actionplan.models import Action
from core import clock
from core.quarters import financial_year_label

PAGE_SIZE = 50
# Spreadsheet programs run a cell starting with one of these as a formula.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _require_viewer(request: HttpRequest) -> None:
    if not access.can_view_action(request.user):
        raise PermissionDenied


def _list_queryset():
    return Action.objects.select_related("theme", "plan", "lead_officer", "latest_update").prefetch_related(
        "partners"
    )


@require_GET
def my_actions(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    mine = selectors.led_actions(request.user, quarter=clock.reporting_quarter())
    return render(
        request,
        "actionplan/my_actions.html",
        {
            "mine": mine,
            "rows": mine.rows,
            # Why some cannot be updated, said once above the table (one plan: one reason).
            "closed_reasons": sorted({row.window.reason for row in mine.rows if not row.window.is_open}),
            "quarter": mine.quarter,
            "due_count": mine.due_count,
            "year_label": mine.plans_label or financial_year_label(clock.current_financial_year()),
            "plan_count": len(mine.plans),
            "nav_my_actions": True,
        },
    )


@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    action_filter = ActionFilter(request.GET, queryset=_list_queryset())
    freeze_choices(action_filter.form)
    valid = action_filter.is_valid()
    page = Paginator(action_filter.qs if valid else Action.objects.none(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": action_filter,
        "filter_helper": filter_helper(),
        "page": page,
        "page_numbers": page_numbers(page),
        # Each row's state is the one the filter read: the whole action's, or the council's.
        "states": selectors.states_of(page.object_list, as_of=action_filter.as_of) if valid else [],
        "state_partner": action_filter.state_partner if valid else None,
        "state_quarter": action_filter.as_at_quarter if valid else None,
        "query": query.urlencode(),
        "sort_columns": _sort_columns(query, action_filter.form.data.get("ordering") or DEFAULT_ORDERING),
        "nav_actions": True,
    }
    if access.is_officer(request.user):
        mine = selectors.led_actions(request.user, quarter=clock.reporting_quarter())
        context.update(
            led_count=len(mine.rows),
            led_due=mine.due_count,
            led_plans=mine.plans_label,
            led_plan_count=len(mine.plans),
            quarter=mine.quarter,
        )
    return render(request, "actionplan/action_list.html", context)


_COLUMNS = [
    ("Ref", "reference", False),
    ("Action", "title", False),
    ("Lead officer", "lead", False),
    ("Status", "status", False),
    ("RAG", "rag", False),
    ("Complete", None, True),
    ("Due", "due", False),
]


def _sort_columns(query, current: str) -> list[dict]:
    """Column headers that sort the list, each keeping the rest of the filter."""
    columns = []
    for label, key, numeric in _COLUMNS:
        column = {"label": label, "numeric": numeric, "url": None, "aria_sort": None}
        if key:
            ascending_now = current == key
            params = query.copy()
            params["ordering"] = f"-{key}" if ascending_now else key
            column["url"] = params.urlencode()
            column["next_direction"] = "descending" if ascending_now else "ascending"
            if current.lstrip("-") == key:
                column["aria_sort"] = "descending" if current.startswith("-") else "ascending"
        columns.append(column)
    return columns


def page_numbers(page) -> list[int | None]:
    """First, last and the pages around the current one; None marks a gap (any paged list's
    links: actionplan/includes/pagination.html)."""
    last = page.paginator.num_pages
    wanted = sorted({1, last, *range(max(1, page.number - 1), min(last, page.number + 1) + 1)})
    numbers: list[int | None] = []
    for number in wanted:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


@require_GET
def action_export(request: HttpRequest) -> HttpResponse:
    """Exactly the rows the list's filter shows, as CSV."""
    _require_viewer(request)
    action_filter = ActionFilter(request.GET, queryset=_list_queryset())
    if not action_filter.is_valid():
        return HttpResponse("The filter is not valid.", status=400, content_type="text/plain")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="actions-{clock.today():%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Plan year",
            "Reference",
            "Theme",
            "Title",
            "Lead officer",
            "Partners",
            "Status",
            "RAG",
            "% complete",
            "Original due date",
            "Due date",
            "Overdue",
            "Last updated",
            "Commentary",
        ]
    )
    for state in selectors.states_of(action_filter.qs, as_of=action_filter.as_of):
        action, update = state.action, state.update
        row = [
            action.plan.year_label,
            action.reference,
            str(action.theme),
            action.title,
            action.lead_officer.display_name,
            ", ".join(p.short_name for p in action.partners.all()),
            state.status_label,
            state.rag_label,
            state.percent_complete,
            action.due_date.isoformat(),
            state.due_date.isoformat(),
            "Yes" if state.is_overdue else "No",
            update.created_at.isoformat(timespec="minutes") if update else "",
            update.commentary if update else "",
        ]
        writer.writerow([_neutralise(cell) for cell in row])
    return response


def _neutralise(cell):
    if isinstance(cell, str) and cell.startswith(_FORMULA_PREFIXES):
        return "'" + cell
    return cell


@require_GET
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_viewer(request)
    action = get_object_or_404(
        Action.objects.select_related(
            "plan__strategy",
            "theme",
            "lead_officer",
            "latest_update__author",
            "carried_forward_from__plan",
            "carried_forward_to__plan",
        ),
        pk=pk,
    )
    state = selectors.action_state(action)
    # Only those who may update are told whether, and why not, an update can be added.
    window = windows.update_window(action) if access.can_update_action(request.user, action) else None
    history = list(
        action.updates.select_related("author", "partner", "sign_off__decided_by").order_by(
            "-created_at", "-id"
        )
    )
    return render(
        request,
        "actionplan/action_detail.html",
        {
            "action": action,
            "state": state,
            "partner_states": selectors.partner_states(action),
            "missed": selectors.missed_quarters(action),
            "history": history,
            "awaiting": [u for u in history if u.sign_off_state == "pending"],
            "can_update": window is not None and window.is_open,
            "update_closed_reason": window.reason if window is not None else "",
            "carried_forward_to": getattr(action, "carried_forward_to", None),
            "nav_actions": True,
        },
    )


@require_http_methods(["GET", "POST"])
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action.objects.select_related("plan", "theme", "latest_update"), pk=pk)
    if not access.can_update_action(request.user, action):
        raise PermissionDenied
    window = windows.update_window(action)
    if not window.is_open:
        # Nothing to fill in: say why, rather than a form every answer of which is refused.
        return render(
            request,
            "actionplan/action_update_closed.html",
            {"action": action, "reason": window.reason, "nav_actions": True},
            status=200 if request.method == "GET" else 409,
        )
    last = action.latest_update
    conflict = None
    if request.method == "POST":
        form = ProgressUpdateForm(request.POST, action=action, last_update=last, window=window)
        if form.is_valid():
            try:
                update = services.update_create(
                    action=action,
                    author=request.user,
                    draft=form.draft(),
                    seen_update_id=form.cleaned_data.get("seen_update_id"),
                )
            except services.UpdateConflict as exc:
                conflict = exc.newer
                # Keep what they typed; saving again now means they have seen it.
                action.refresh_from_db(fields=["latest_update"])
                last = action.latest_update
                data = request.POST.copy()
                data["seen_update_id"] = str(conflict.pk)
                form = ProgressUpdateForm(data, action=action, last_update=last, window=window)
                form.is_valid()
            except ValidationError as exc:
                # Something changed since the form's own check (a quarter locked meanwhile).
                form.add_service_errors(exc.message_dict)
            else:
                if update.needs_sign_off:
                    messages.success(
                        request,
                        f"Your update for {update.quarter.label} has been submitted for sign-off: "
                        "it counts once an approver has approved it.",
                    )
                else:
                    messages.success(request, f"Your update for {update.quarter.label} has been saved.")
                return redirect(action.get_absolute_url() + "#history")
    else:
        # The version the officer starts from: a save after anyone else's is a conflict.
        newest = selectors.newest_update(action)
        form = ProgressUpdateForm(
            initial={"seen_update_id": newest.pk if newest else None},
            action=action,
            last_update=last,
            window=window,
        )
    return render(
        request,
        "actionplan/action_update.html",
        {
            "action": action,
            "form": form,
            "conflict": conflict,
            "last": last,
            "missed": selectors.missed_quarters(action),
            "nav_actions": True,
        },
    )
