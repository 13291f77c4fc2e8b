"""The approvers' daily e-mail: one a day to each approver with something to sign off,
never one per update. Claimed before it is sent, so a second run sends nothing."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from accounts import access
from approvals import kinds
from approvals.models import SignOffDigest
from core import clock, emails

log = logging.getLogger(__name__)


def approvers():
    """Everyone with an address who signs off something: administrators and approvers
    given a theme (accounts.access.approvers)."""
    return access.approvers().exclude(email="").order_by("pk")


def digest_send(*, user) -> SignOffDigest | None:
    """Send `user` today's digest if anything of any kind (approvals.kinds) awaits their sign-off
    (not their own) and they have not had one today. Returns the row, or None when there was
    nothing to send."""
    items = [item for group in kinds.queue(user) for item in group.items if not item.own]
    if not items:
        return None
    try:
        with transaction.atomic():
            digest = SignOffDigest.objects.create(recipient=user, day=clock.today(), waiting=len(items))
    except IntegrityError:
        return None  # already sent (or being sent) today
    try:
        emails.send(
            "sign_off_digest",
            [emails.address(user.display_name, user.email)],
            {"recipient": user, "items": items, "what": kinds.phrase(items), "one": len(items) == 1},
            message_id=emails.message_id("sign-off-digest", digest.pk),
        )
    except Exception as exc:
        # Refused before it was accepted: free the claim so the job's retry sends it.
        SignOffDigest.objects.filter(pk=digest.pk).delete()
        log.warning("Sign-off digest to %s failed: %s", user, exc)
        raise
    SignOffDigest.objects.filter(pk=digest.pk).update(state=SignOffDigest.State.SENT, sent_at=clock.now())
    digest.refresh_from_db()
    return digest


def digests_send() -> int:
    """Today's digest to every approver with something waiting; returns how many were sent.
    One failure does not stop the others; it is raised at the end, for the task to retry."""
    sent, failure = 0, None
    for user in approvers():
        try:
            sent += digest_send(user=user) is not None
        except Exception as exc:
            failure = exc
    if failure is not None:
        raise failure
    return sent
