"""Security events as one JSON object a line, with UTC times.

Sign-ins, failures, sign-outs, lock-outs, session time-outs and permission
refusals go to the `security` logger, so a council's log collector (or an
auditor with `grep`) can answer "who tried what, from where, when" without
parsing prose. Passwords are never logged; a failed sign-in logs only the
username that was typed.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import logging

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("security")

# The fields a security event may carry; anything else passed in `extra` is ignored
# so that a careless caller cannot leak a password or a whole request into the log.
FIELDS = ("event", "username", "user_id", "ip", "method", "path", "status", "reason", "user_agent")


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
        }
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if "event" not in entry:
            entry["message"] = record.getMessage()
        return json.dumps(entry, ensure_ascii=False, sort_keys=False)


def client_ip(request) -> str | None:
    """The client's address: for the security log and for django-axes' lock-outs alike
    (AXES_CLIENT_IP_CALLABLE), so a lock-out and its log line name the same address.

    With TRUSTED_PROXY_COUNT = 0 (no proxy) it is the connection's address and any
    X-Forwarded-For is ignored: a client could write anything there. Behind N trusted
    proxies, each appending the address it saw, it is the Nth address from the right
    of X-Forwarded-For: the one the outermost trusted proxy saw. Addresses to its left
    were sent by the client and are never believed. A request without the header (or
    with a malformed one) did not come through the proxies: the connection's address.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote


def log_event(event: str, request=None, *, level: int = logging.INFO, user=None, **fields) -> None:
    data = {"event": event, **fields}
    if request is not None:
        data.setdefault("ip", client_ip(request))
        data.setdefault("method", request.method)
        data.setdefault("path", request.path)
        data.setdefault("user_agent", request.META.get("HTTP_USER_AGENT", "")[:200] or None)
        if user is None:
            user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        data.setdefault("username", user.get_username())
        data.setdefault("user_id", user.pk)
    logger.log(level, event, extra={k: v for k, v in data.items() if k in FIELDS and v not in (None, "")})


@receiver(user_logged_in, dispatch_uid="security_log_signed_in")
def _signed_in(sender, request, user, **kwargs):
    log_event("sign_in", request, user=user)


@receiver(user_login_failed, dispatch_uid="security_log_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    log_event(
        "sign_in_failed",
        request,
        level=logging.WARNING,
        username=str(credentials.get("username", ""))[:150],
    )


@receiver(user_logged_out, dispatch_uid="security_log_signed_out")
def _signed_out(sender, request, user, **kwargs):
    log_event("sign_out", request, user=user)


def _locked_out(sender, request, username, ip_address, **kwargs):
    log_event("locked_out", request, level=logging.WARNING, username=username, ip=ip_address)


def connect_axes() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="security_log_locked_out")


class PermissionRefusalLogMiddleware:
    """Log every 403, whichever layer refused: a view, DRF, the admin or CSRF."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            log_event("permission_denied", request, level=logging.WARNING, status=403)
        return response
