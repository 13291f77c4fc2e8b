"""Background jobs for risk reviews: thin wrappers that call risks.reminders and retry failures."""

from celery import shared_task

from core import persist
from reminders.tasks import RemindersNotSent, reminder_run_task, run_on_a_fresh_connection
from risks import reminders


@reminder_run_task
def send_due_review_reminders(self) -> dict:
    """Run the reminder step the calendar puts on today for risk reviews (Celery beat)."""
    runs = run_on_a_fresh_connection(reminders.review_reminders_run_due_steps)
    failed = sum(1 for _, planned in runs for p in planned if p.outcome == "failed")
    if failed:
        raise RemindersNotSent(f"{failed} review reminder e-mail(s) failed")
    return {key: len(planned) for key, planned in runs}


@shared_task(acks_late=True)
def sweep_review_reminders() -> int:
    """Every few minutes: fail review reminders whose sender died, for the next run to resend."""
    persist.close_stale_connections()
    return reminders.review_reminders_sweep()
