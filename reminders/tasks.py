"""Background jobs: thin wrappers that call the services and retry failures."""

from celery import shared_task

from reminders import services
from reminders.models import Reminder


class RemindersNotSent(Exception):
    """Some e-mails failed; the retry resends only those (the rest are claimed)."""


@shared_task(
    bind=True,
    autoretry_for=(RemindersNotSent,),
    retry_backoff=300,
    retry_backoff_max=3600,
    max_retries=4,
)
def send_due_reminders(self) -> dict:
    """Run the reminder step the calendar puts on today (Celery beat, each morning)."""
    reports = services.reminders_run_due_steps()
    failed = sum(report.failed for report in reports)
    if failed:
        raise RemindersNotSent(f"{failed} reminder e-mail(s) failed")
    return {f"{r.strategy.pk}:{r.quarter.code}:{r.step}": len(r.planned) for r in reports}


@shared_task(bind=True, autoretry_for=(RemindersNotSent,), retry_backoff=60, max_retries=4)
def send_reminder(self, reminder_id: int) -> str:
    """Send one reminder an administrator asked for."""
    state = services.reminder_deliver(reminder_id=reminder_id)
    if state == Reminder.State.FAILED:
        raise RemindersNotSent(f"reminder {reminder_id} failed")
    return state
