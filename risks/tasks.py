"""Background jobs for risk reviews: thin wrappers that call risks.reminders and retry failures."""

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from core import persist
from risks import reminders


class ReviewRemindersNotSent(Exception):
    """Some e-mails failed; the retry resends only those (the rest are claimed)."""


@shared_task(
    bind=True,
    autoretry_for=(ReviewRemindersNotSent, DatabaseError),
    retry_backoff=settings.REMINDER_RETRY_BACKOFF,
    retry_backoff_max=3600,
    max_retries=4,
    acks_late=True,
)
def send_due_review_reminders(self) -> dict:
    """Run the reminder step the calendar puts on today for risk reviews (Celery beat)."""
    persist.close_stale_connections()
    try:
        runs = reminders.review_reminders_run_due_steps()
    except DatabaseError:
        persist.fresh_connection()
        raise
    failed = sum(1 for _, planned in runs for p in planned if p.outcome == "failed")
    if failed:
        raise ReviewRemindersNotSent(f"{failed} review reminder e-mail(s) failed")
    return {key: len(planned) for key, planned in runs}


@shared_task(acks_late=True)
def sweep_review_reminders() -> int:
    """Every few minutes: fail review reminders whose sender died, for the next run to resend."""
    persist.close_stale_connections()
    return reminders.review_reminders_sweep()
