"""Writes about people's accounts: telling them when their sign-in details change (ASVS 2.2.3).

The e-mail goes after the change is committed, from a background job that
retries, so a slow or failing mail server never undoes or delays the change.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from core import emails

# What changed -> the e-mail that says so (templates/emails/<name>-*.txt|html).
NOTICES = {
    "password_changed": "password_changed",
    "two_factor_added": "two_factor_changed",
    "two_factor_removed": "two_factor_changed",
    "email_changed": "email_changed",
}


def account_change_notify(*, user, change: str, by=None, to: str | None = None) -> None:
    """Queue the e-mail telling `user` that `change` happened (by them, or by administrator `by`).

    `to` overrides the address: an e-mail change is told to the old address, the
    one the person still reads if someone else made the change.
    """
    if change not in NOTICES:
        raise ValueError(f"unknown account change {change!r}")
    address = to if to is not None else user.email
    if not address:
        return
    from accounts.tasks import send_account_notice

    # The real time (not the demo's fixed portal date): it is when the change happened.
    when = timezone.now().isoformat()
    by_id = by.pk if by is not None and by.pk != user.pk else None
    transaction.on_commit(lambda: send_account_notice.delay(user.pk, change, when, by_id, address))


def account_notice_send(
    *, user_id: int, change: str, when: str, by_id: int | None = None, to: str | None = None
) -> bool:
    """Send one account-change e-mail now; False when the user has gone or has no address."""
    from accounts.models import User

    user = User.objects.filter(pk=user_id).first()
    address = to or (user.email if user else "")
    if user is None or not address:
        return False
    context = {
        "recipient": user,
        "change": change,
        "when": datetime.datetime.fromisoformat(when),
        "by": User.objects.filter(pk=by_id).first() if by_id else None,
    }
    emails.send(NOTICES[change], [address], context)
    return True
