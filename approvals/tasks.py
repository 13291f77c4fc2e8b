from celery import shared_task

from approvals import services


@shared_task(bind=True, max_retries=3, default_retry_delay=300)
def send_sign_off_digests(self) -> str:
    """Daily: each approver's one e-mail of what awaits their sign-off."""
    try:
        return f"{services.digests_send()} sent"
    except Exception as exc:  # a failed one is marked failed; the others go on the retry
        raise self.retry(exc=exc) from exc
