"""Background jobs for indicators: thin wrappers that call indicators.reminders and retry failures."""

from celery import shared_task

from core import persist
from indicators import reminders
from reminders.tasks import RemindersNotSent, reminder_run_task, run_on_a_fresh_connection


@reminder_run_task
def send_value_reminders(self) -> dict:
    """Remind owners of values soon due and escalate late ones (Celery beat, each morning)."""
    planned = run_on_a_fresh_connection(reminders.value_reminders_run)
    failed = sum(1 for p in planned if p.outcome == reminders.State.FAILED)
    if failed:
        raise RemindersNotSent(f"{failed} value reminder e-mail(s) failed")
    return {f"{p.recipient.pk}:{p.step}:{p.due_on}": p.outcome for p in planned}


@shared_task(acks_late=True)
def sweep_value_reminders() -> int:
    """Every few minutes (Celery beat): fail claims whose sender died, for the next run to resend."""
    persist.close_stale_connections()
    return reminders.value_reminders_sweep()
