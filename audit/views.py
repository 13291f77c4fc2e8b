from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import access
from audit import selectors
from audit.forms import AuditFilterForm


@require_GET
def history(request: HttpRequest) -> HttpResponse:
    """Who changed what, and when: by record, by person, or everything."""
    if not access.can_view_audit(request.user):
        raise PermissionDenied("Only administrators can read the audit history.")
    form = AuditFilterForm(request.GET or None)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    entries, has_older, record = [], False, None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        kind, object_id, person = data.get("kind") or None, data.get("record"), data.get("person")
        if kind and object_id:
            entries = selectors.record_history(kind, object_id)
            record = {"kind": kind, "id": object_id}
        else:
            entries, has_older = selectors.entries(
                kind=kind, user_id=person.pk if person else None, page=page
            )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/history.html",
        {
            "form": form,
            "entries": entries,
            "record": record,
            "page": page,
            "has_older": has_older,
            "nav_audit": True,
            "query": query.urlencode(),
        },
    )
