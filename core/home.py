"""The signed-in landing page until the dashboard replaces it: a list of plans."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from actionplan.models import ActionPlan
from core import access


def home(request):
    if not access.has_portal_role(request.user):
        raise PermissionDenied
    plans = ActionPlan.objects.select_related("strategy").order_by("-strategy__first_year", "-year")
    from django.db.models import Count

    plans = plans.annotate(action_count=Count("actions"))
    return render(request, "core/home.html", {"plans": plans, "nav_dashboard": True})
