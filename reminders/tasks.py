"""Background jobs: thin wrappers that call the services and retry failures.

A database error (a restart, terminated connections) is retried like a failed
e-mail: the rows already claimed stay claimed, and the retry sends the ones left.
"""

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from core import persist
from reminders import services
from reminders.models import Reminder


class RemindersNotSent(Exception):
    """Some e-mails failed; the retry resends only those (the rest are claimed)."""


def reminder_run_task(func):
    """A morning's reminder run (updates, indicator values, risk reviews): retried with
    backoff when an e-mail or the database failed, the claimed rows staying claimed."""
    return shared_task(
        bind=True,
        autoretry_for=(RemindersNotSent, DatabaseError),
        retry_backoff=settings.REMINDER_RETRY_BACKOFF,
        retry_backoff_max=3600,
        max_retries=4,
        acks_late=True,
    )(func)


def run_on_a_fresh_connection(run):
    """`run()` after closing a stale connection; on a database error the connection is
    replaced before the error goes on to the retry."""
    persist.close_stale_connections()
    try:
        return run()
    except DatabaseError:
        persist.fresh_connection()
        raise


@reminder_run_task
def send_due_reminders(self) -> dict:
    """Run the reminder step the calendar puts on today (Celery beat, each morning)."""
    reports = run_on_a_fresh_connection(services.reminders_run_due_steps)
    failed = sum(report.failed for report in reports)
    if failed:
        raise RemindersNotSent(f"{failed} reminder e-mail(s) failed")
    return {f"{r.strategy.pk}:{r.quarter.code}:{r.step}": len(r.planned) for r in reports}


@shared_task(
    bind=True,
    autoretry_for=(RemindersNotSent, DatabaseError),
    retry_backoff=max(settings.REMINDER_RETRY_BACKOFF // 5, 1),
    max_retries=4,
    acks_late=True,
)
def send_reminder(self, reminder_id: int) -> str:
    """Send one reminder an administrator asked for."""
    state = run_on_a_fresh_connection(lambda: services.reminder_deliver(reminder_id=reminder_id))
    if state == Reminder.State.FAILED:
        raise RemindersNotSent(f"reminder {reminder_id} failed")
    return state


@shared_task(acks_late=True)
def sweep_reminders() -> int:
    """Every few minutes (Celery beat): fail reminders whose sender died, for the next run to resend."""
    persist.close_stale_connections()
    return services.reminders_sweep()
