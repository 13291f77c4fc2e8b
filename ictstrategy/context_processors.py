from django.conf import settings

from accounts import access
from core import clock


def portal(request):
    user = getattr(request, "user", None)
    return {
        "portal_name": settings.PORTAL_NAME,
        "portal_organisation": settings.PORTAL_ORGANISATION,
        "portal_fixed_date": clock.fixed_date(),
        "portal_today": clock.today(),
        "user_is_administrator": access.is_administrator(user) if user else False,
        "user_is_officer": access.is_officer(user) if user else False,
        # Lazily: only a page that draws the menu asks (one query, for approvers only).
        "user_is_approver": (lambda: access.is_approver(user)) if user else False,
    }
