"""Celery tasks for board reports: each takes an id and calls a service.

The services make every step safe to repeat (acks_late redelivers a job whose
worker died) and count the attempts on the report itself, so the tasks only
decide when to retry: a redelivery after a killed worker counts like a retry,
and the retry budget (BOARD_REPORT_SEND_RETRIES) is the report's, not Celery's.
What a dead worker or a lost job leaves behind, the sweeper (sweep_reports,
every few minutes from beat) ends: services.report_sweep.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError

from core import persist
from reporting import services
from reporting.models import BoardReport

logger = logging.getLogger(__name__)

# Database errors (a restart, a failover, terminated connections) are retried this
# many times; a report still unfinished after that is ended by the sweeper.
DATABASE_RETRIES = 8


@shared_task(bind=True, max_retries=DATABASE_RETRIES, acks_late=True)
def build_report(self, report_id: int) -> str:
    persist.close_stale_connections()
    try:
        report = services.report_build(report_id=report_id)
    except DatabaseError as exc:
        persist.fresh_connection()
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=services.retry_delay(self.request.retries)) from exc
        services.report_fail(report_id=report_id, error=f"Could not build the report: {exc}")
        raise
    except Exception as exc:
        # A rendering error will not go away by trying again: say so now.
        logger.exception("Building board report %s failed", report_id)
        services.report_fail(report_id=report_id, error=f"Could not build the report: {exc}")
        return "failed"
    if report.state == BoardReport.State.READY and report.send_when_built:
        services._enqueue("send", report_id)
    return report.state


# max_retries=None: Celery never gives up on its own; the report's send_attempts
# decide the final attempt (services.report_send), which ends sent or failed.
@shared_task(bind=True, max_retries=None, acks_late=True)
def send_report(self, report_id: int) -> str:
    persist.close_stale_connections()
    try:
        report = services.report_send(report_id=report_id)
    except services.SendIncomplete as exc:
        raise self.retry(exc=exc, countdown=exc.countdown) from exc
    except DatabaseError as exc:
        # The claims stay as they are: the retry finishes what this run started.
        persist.fresh_connection()
        if self.request.retries < DATABASE_RETRIES:
            raise self.retry(exc=exc, countdown=services.retry_delay(self.request.retries)) from exc
        services.report_fail(report_id=report_id, error=f"Could not send the report: {exc}")
        raise
    except Exception as exc:
        logger.exception("Sending board report %s failed", report_id)
        services.report_fail(report_id=report_id, error=f"Could not send the report: {exc}")
        return "failed"
    return report.state


@shared_task(acks_late=True)
def schedule_board_report() -> str:
    """Daily (Celery beat): request and send last quarter's report when it is due."""
    persist.close_stale_connections()
    report = services.report_schedule_due()
    return f"requested {report}" if report else "nothing due"


@shared_task(bind=True, max_retries=3, acks_late=True)
def sweep_reports(self) -> dict:
    """Every few minutes (Celery beat): end what dead workers and lost jobs left behind."""
    persist.close_stale_connections()
    try:
        return services.report_sweep()
    except DatabaseError as exc:
        persist.fresh_connection()
        raise self.retry(exc=exc, countdown=30) from exc
