"""The officer's reminders and the administrators' missing-updates page. Thin: the
rules are in selectors and services, the permissions in accounts.access."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from actionplan import sign_off
from actionplan.selectors import update_returns
from actionplan.window import is_quarter_locked
from core import clock
from core.quarters import Quarter
from reminders import everyone, selectors, services
from reminders.forms import QuarterForm, RemindEveryoneForm, RemindNowForm


@require_GET
def my_reminders(request: HttpRequest) -> HttpResponse:
    if not access.has_portal_role(request.user):
        raise PermissionDenied
    strategy = selectors.current_strategy()
    quarter = clock.reporting_quarter()
    context = {
        "strategy": strategy,
        "quarter": quarter,
        "dates": selectors.dates_for(strategy, quarter) if strategy else None,
        "missing": list(selectors.missing_updates(strategy, quarter, officer=request.user))
        if strategy
        else [],
        "reminders": list(selectors.reminders_for(request.user)[:50]),
        "nav_my_actions": access.is_officer(request.user),
    }
    return render(request, "reminders/mine.html", context)


def _quarters(strategy) -> list[Quarter]:
    return strategy.quarters(up_to=clock.current_quarter())


@require_GET
def missing_updates(request: HttpRequest) -> HttpResponse:
    if not access.can_chase_updates(request.user):
        raise PermissionDenied
    strategy = selectors.current_strategy()
    if strategy is None:
        return render(request, "reminders/missing.html", {"strategy": None})
    quarters = _quarters(strategy)
    default = clock.reporting_quarter()
    form = QuarterForm(request.GET or {"quarter": default.code}, quarters=quarters)
    quarter = Quarter.from_code(form.cleaned_data["quarter"]) if form.is_valid() else default
    latest = selectors.latest_reminders(strategy, quarter)
    rows = [
        {
            "officer": officer,
            "actions": actions,
            "last_reminder": latest.get(officer.pk),
            "form": RemindNowForm(
                initial={"officer": officer.pk, "quarter": quarter.code},
                label=f"Remind {officer.display_name} now",
            ),
        }
        for officer, actions in selectors.missing_by_officer(strategy, quarter)
    ]
    received, expected = update_returns(quarter=quarter, strategy=strategy)
    context = {
        "strategy": strategy,
        "quarter": quarter,
        "form": form,
        "dates": selectors.dates_for(strategy, quarter),
        "rows": rows,
        "received": received,
        "expected": expected,
        "missing_count": expected - received,
        "awaiting_sign_off": sign_off.awaiting_count(quarter=quarter, strategy=strategy),
        "locked": is_quarter_locked(quarter),
        "escalations": [r for r in latest.values() if r.step == "escalation"],
    }
    return render(request, "reminders/missing.html", context)


@require_POST
def remind_now(request: HttpRequest) -> HttpResponse:
    if not access.can_chase_updates(request.user):
        raise PermissionDenied
    form = RemindNowForm(request.POST)
    back = reverse("reminders:missing")
    if not form.is_valid():
        messages.error(request, "Choose an officer and a quarter to remind.")
        return redirect(back)
    officer, quarter = form.cleaned_data["officer"], form.cleaned_data["quarter"]
    back = f"{back}?quarter={quarter.code}"
    strategy = selectors.current_strategy()
    try:
        reminder = services.reminder_send_now(
            strategy=strategy, quarter=quarter, officer=officer, requested_by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(
        request,
        f"Reminder on its way to {officer.display_name} ({reminder.email}) "
        f"about {reminder.actions.count()} missing update(s).",
    )
    return redirect(back)


@require_http_methods(["GET", "POST"])
def remind_everyone(request: HttpRequest) -> HttpResponse:
    """GET: who would be reminded, and who not and why; POST: remind them, then back."""
    if not access.can_chase_updates(request.user):
        raise PermissionDenied
    strategy = selectors.current_strategy()
    back = reverse("reminders:missing")
    if strategy is None:
        return redirect(back)
    quarters = _quarters(strategy)
    if request.method == "POST":
        form = RemindEveryoneForm(request.POST)
        if not form.is_valid() or form.cleaned_data["quarter"] not in quarters:
            messages.error(request, "Choose a quarter of the strategy to remind officers about.")
            return redirect(back)
        quarter = form.cleaned_data["quarter"]
        try:
            outcome = everyone.reminders_send_now_to_everyone(
                strategy=strategy, quarter=quarter, requested_by=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(f"{back}?quarter={quarter.code}")
        sent = len(outcome.sent)
        text = f"{sent} reminder{'' if sent == 1 else 's'} on {'its' if sent == 1 else 'their'} way."
        if outcome.skipped:
            text += " Not sent: " + " ".join(outcome.skipped)
        (messages.success if sent else messages.info)(request, text)
        return redirect(f"{back}?quarter={quarter.code}")
    picked = QuarterForm(request.GET or {"quarter": clock.reporting_quarter().code}, quarters=quarters)
    quarter = (
        Quarter.from_code(picked.cleaned_data["quarter"]) if picked.is_valid() else clock.reporting_quarter()
    )
    plan = everyone.remind_everyone_plan(strategy=strategy, quarter=quarter)
    context = {
        "plan": plan,
        "quarter": quarter,
        "form": RemindEveryoneForm(initial={"quarter": quarter.code}, count=len(plan.to_remind)),
        "back": f"{back}?quarter={quarter.code}",
    }
    return render(request, "reminders/remind_everyone.html", context)
