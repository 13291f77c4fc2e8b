"""The approver's queue: approve one, several or all; return one with a reason. Thin: what
waits and the decisions are each kind's (approvals.kinds: updates, risk reviews), the
"may they?" accounts.access'."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import access
from actionplan import sign_off
from approvals import kinds
from approvals.forms import ReturnForm


def _require_approver(request: HttpRequest) -> None:
    if not access.is_approver(request.user):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    _require_approver(request)
    error = ""
    chosen: set[str] = set()
    if request.method == "POST":
        wanted = {
            kind: [int(v) for v in request.POST.getlist(kind.key) if v.isdigit()]
            for kind in kinds.KINDS.values()
        }
        chosen = {f"{kind.key}-{pk}" for kind, ids in wanted.items() for pk in ids}
        try:
            decided = _approve(request.user, wanted)
        except ValidationError as exc:
            error = " ".join(m for messages_ in exc.message_dict.values() for m in messages_)
        except sign_off.AlreadyDecided as exc:
            error = f"{exc} Refresh the page to see what still waits."
        else:
            messages.success(request, f"{decided} approved: they now count.")
            return redirect("approvals:queue")
    groups = kinds.queue(request.user)
    decidable = [item for group in groups for item in group.items if not item.own]
    return render(
        request,
        "approvals/queue.html",
        {
            "groups": groups,
            "waiting": len(decidable),
            "waiting_by_kind": kinds.counts(decidable),
            "error": error,
            "chosen": chosen,
            "nav_approvals": True,
        },
        status=400 if error else 200,
    )


def _approve(user, wanted: dict) -> str:
    """Approve every chosen record, of every kind, all or none; what was approved, in words."""
    if not any(wanted.values()):
        raise ValidationError({"updates": ["Choose at least one update"]})
    done = []
    with transaction.atomic():
        for kind, ids in wanted.items():
            if ids:
                objects = kind.fetch(ids)
                kind.decide(user=user, objects=objects, decision="approved")
                done.append(kind.count_phrase(len(objects)))
    return " and ".join(done)


@require_http_methods(["GET", "POST"])
def return_update(request: HttpRequest, pk: int) -> HttpResponse:
    return return_item(request, "update", pk)


@require_http_methods(["GET", "POST"])
def return_item(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _require_approver(request)
    chosen_kind = kinds.get(kind)
    if chosen_kind is None:
        raise Http404
    record = chosen_kind.get(pk)
    if not chosen_kind.may_decide(request.user, record):
        raise PermissionDenied
    item = chosen_kind.describe(record, request.user)
    form = ReturnForm(request.POST or None, noun=chosen_kind.noun)
    if request.method == "POST" and form.is_valid():
        try:
            chosen_kind.decide(
                user=request.user, objects=[record], decision="returned", reason=form.cleaned_data["reason"]
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
                f"The {chosen_kind.noun} on {item.subject} was returned to {item.author.display_name}.",
            )
            return redirect("approvals:queue")
    return render(
        request,
        "approvals/return.html",
        {"item": item, "update": record, "form": form, "changes": item.changes, "nav_approvals": True},
    )
