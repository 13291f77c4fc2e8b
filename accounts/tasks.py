"""Background jobs for accounts: thin wrappers that call the services and retry failures."""

import smtplib

from celery import shared_task

from accounts import services


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=5,
)
def send_account_notice(
    user_id: int, change: str, when: str, by_id: int | None = None, to: str | None = None
) -> bool:
    """Tell a person their password, e-mail address or second factor changed."""
    return services.account_notice_send(user_id=user_id, change=change, when=when, by_id=by_id, to=to)
