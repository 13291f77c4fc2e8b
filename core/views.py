from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Public health check: is the database and (when configured) the broker answering?"""
    checks = {"database": _database_ok(), "broker": _broker_status()}
    healthy = checks["database"] == "ok" and checks["broker"] in ("ok", "not configured")
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def _database_ok() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return "unreachable"


def _broker_status() -> str:
    if not settings.CELERY_BROKER_URL:
        return "not configured"
    from ictstrategy.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:  # noqa: BLE001
        return "unreachable"


@require_safe
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """GOV.UK's sample statement, with the organisation's contact details from settings."""
    contact = {
        "email": settings.ACCESSIBILITY_EMAIL,
        "phone": settings.ACCESSIBILITY_PHONE,
        "hours": settings.ACCESSIBILITY_HOURS,
        "reply_days": settings.ACCESSIBILITY_REPLY_DAYS,
        "northern_ireland": settings.ACCESSIBILITY_ENFORCEMENT.lower() == "ecni",
    }
    return render(request, "core/accessibility.html", {"contact": contact})
