"""Background jobs for indicators: thin wrappers that call indicators.reminders and retry failures."""

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from core import persist
from indicators import reminders


class ValueRemindersNotSent(Exception):
    """Some e-mails failed; the retry resends only those (the rest are claimed)."""


@shared_task(
    bind=True,
    autoretry_for=(ValueRemindersNotSent, DatabaseError),
    retry_backoff=settings.REMINDER_RETRY_BACKOFF,
    retry_backoff_max=3600,
    max_retries=4,
    acks_late=True,
)
def send_value_reminders(self) -> dict:
    """Remind owners of values soon due and escalate late ones (Celery beat, each morning)."""
    persist.close_stale_connections()
    try:
        planned = reminders.value_reminders_run()
    except DatabaseError:
        persist.fresh_connection()
        raise
    failed = sum(1 for p in planned if p.outcome == reminders.State.FAILED)
    if failed:
        raise ValueRemindersNotSent(f"{failed} value reminder e-mail(s) failed")
    return {f"{p.recipient.pk}:{p.step}:{p.due_on}": p.outcome for p in planned}


@shared_task(acks_late=True)
def sweep_value_reminders() -> int:
    """Every few minutes (Celery beat): fail claims whose sender died, for the next run to resend."""
    persist.close_stale_connections()
    return reminders.value_reminders_sweep()
