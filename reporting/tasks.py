"""Celery tasks for board reports: each takes an id and calls a service.

The services make every step safe to repeat (acks_late redelivers a job whose
worker died), so the tasks only decide when to retry and when to give up.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from reporting import services
from reporting.models import BoardReport

logger = logging.getLogger(__name__)


def _backoff(retries: int) -> int:
    # 1, 2, 4, 8... times the base, capped at an hour.
    return min(settings.BOARD_REPORT_RETRY_BACKOFF * 2**retries, 3600)


@shared_task(bind=True, max_retries=3, acks_late=True)
def build_report(self, report_id: int) -> str:
    try:
        report = services.report_build(report_id=report_id)
    except DatabaseError as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
        services.report_fail(report_id=report_id, error=f"Could not build the report: {exc}")
        raise
    except Exception as exc:
        # A rendering error will not go away by trying again: say so now.
        logger.exception("Building board report %s failed", report_id)
        services.report_fail(report_id=report_id, error=f"Could not build the report: {exc}")
        return "failed"
    if report.state == BoardReport.State.READY and report.send_when_built:
        send_report.delay(report_id)
    return report.state


@shared_task(bind=True, acks_late=True)
def send_report(self, report_id: int) -> str:
    final = self.request.retries >= settings.BOARD_REPORT_SEND_RETRIES
    try:
        report = services.report_send(report_id=report_id, final_attempt=final)
    except services.SendIncomplete as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries), max_retries=None) from exc
    except Exception as exc:
        logger.exception("Sending board report %s failed", report_id)
        services.report_fail(report_id=report_id, error=f"Could not send the report: {exc}")
        return "failed"
    return report.state


@shared_task(acks_late=True)
def schedule_board_report() -> str:
    """Daily (Celery beat): request and send last quarter's report when it is due."""
    report = services.report_schedule_due()
    return f"requested {report}" if report else "nothing due"
