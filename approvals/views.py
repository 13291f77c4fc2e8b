"""The approver's queue: approve one, several or all; return one with a reason. Thin:
the queue and the decisions are actionplan.sign_off's, the "may they?" accounts.access'."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts import access
from actionplan import sign_off
from actionplan.models import ProgressUpdate
from approvals.forms import ReturnForm


def _require_approver(request: HttpRequest) -> None:
    if not access.is_approver(request.user):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    _require_approver(request)
    error = ""
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("update") if v.isdigit()]
        chosen = ProgressUpdate.objects.filter(pk__in=ids)
        try:
            decided = sign_off.update_decide(user=request.user, updates=list(chosen), decision="approved")
        except ValidationError as exc:
            error = " ".join(m for messages_ in exc.message_dict.values() for m in messages_)
        except sign_off.AlreadyDecided as exc:
            error = f"{exc} Refresh the page to see what still waits."
        else:
            n = len(decided)
            messages.success(request, f"{n} update{'s' if n != 1 else ''} approved: they now count.")
            return redirect("approvals:queue")
    groups = sign_off.queue(request.user)
    return render(
        request,
        "approvals/queue.html",
        {
            "groups": groups,
            "waiting": sum(g.decidable for g in groups),
            "error": error,
            "chosen": set(request.POST.getlist("update")),
            "nav_approvals": True,
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def return_update(request: HttpRequest, pk: int) -> HttpResponse:
    _require_approver(request)
    update = get_object_or_404(ProgressUpdate.objects.select_related("action__theme", "author"), pk=pk)
    if not access.can_sign_off(request.user, update):
        raise PermissionDenied
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sign_off.update_decide(
                user=request.user, updates=[update], decision="returned", reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("reason", exc.messages):
                form.add_error("reason", message)
        except sign_off.AlreadyDecided as exc:
            messages.error(request, str(exc))
            return redirect("approvals:queue")
        else:
            messages.success(
                request,
                f"The update on {update.action.reference} was returned to {update.author.display_name}.",
            )
            return redirect("approvals:queue")
    return render(
        request,
        "approvals/return.html",
        {"update": update, "form": form, "changes": sign_off.changes_of(update), "nav_approvals": True},
    )
