"""Idle and absolute session time-outs (ASVS 3.3.1, 3.3.2).

Django's session cookie age is a sliding window at best; it cannot say "signed
out after 30 minutes without activity, and after 8 hours whatever happens". The
session carries when it started and when it was last used (UTC epoch seconds);
this middleware signs the user out when either limit has passed. API calls with
a token have no session and are unaffected.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout

from core.security_log import log_event

STARTED = "_portal_session_started"
LAST_SEEN = "_portal_session_last_seen"
# Write "last seen" at most this often: a session save on every request would turn
# every page view into a database write.
TOUCH_EVERY = 60


def _expired_reason(session, now: float) -> str | None:
    started = session.get(STARTED)
    last_seen = session.get(LAST_SEEN)
    if started is not None and now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
        return "absolute"
    if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            session = request.session
            reason = _expired_reason(session, now)
            if reason:
                log_event("session_expired", request, reason=reason)
                logout(request)
                if reason == "idle":
                    minutes = settings.SESSION_IDLE_TIMEOUT // 60
                    text = f"You were signed out after {minutes} minutes without activity. Sign in again."
                else:
                    text = "Your session reached its time limit. Sign in again."
                messages.info(request, text)
            else:
                if STARTED not in session:
                    session[STARTED] = now
                if now - session.get(LAST_SEEN, 0) >= TOUCH_EVERY:
                    session[LAST_SEEN] = now
        return self.get_response(request)


def end_user_sessions(user) -> int:
    """End every session `user` has signed in with; returns how many.

    Sessions are stored in the database keyed by a random id, not by user, so
    each live one is decoded. A council has hundreds of users, not millions, so
    an administrator's click can afford it.
    """
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            session.delete()
            ended += 1
    return ended
