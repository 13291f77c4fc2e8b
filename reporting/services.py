"""Writes for board reports: request, build, send, retry.

Every state change is a conditional UPDATE on the state the caller saw
(healthchecks' sendreports pattern), so two workers running the same task, or a
task redelivered after a crash (acks_late), cannot both act: one wins the row,
the other finds nothing to do. The tasks in reporting.tasks only call these.
"""

from __future__ import annotations

import datetime
import functools
import logging
import smtplib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max, Q
from django.template import Engine
from django.utils import timezone
from django.utils.safestring import mark_safe

from accounts import access
from actionplan import services as plan_services
from actionplan import window as windows
from core import clock, emails
from core.quarters import Quarter
from reporting import selectors
from reporting.models import BoardReport, Delivery
from reporting.pdf import render
from themes import selectors as themes_selectors

logger = logging.getLogger(__name__)

State = BoardReport.State
DState = Delivery.State

# A claim older than this was made by a worker that died mid-send.
STALE_CLAIM = datetime.timedelta(minutes=15)


class SendIncomplete(Exception):
    """Some deliveries failed for a reason worth retrying (the task backs off and retries)."""


# --- requesting -------------------------------------------------------------


def report_request(*, quarter: Quarter, user=None, send: bool = False, strategy=None) -> BoardReport:
    """Ask for a quarter's report; the build (and send) is queued once the request is saved."""
    report = _new_report(quarter=quarter, user=user, send=send, strategy=strategy)
    _enqueue("build", report.pk)
    return report


def report_run_now(*, quarter: Quarter, send: bool = False, user=None, strategy=None) -> BoardReport:
    """Build (and send) in this process, without a broker: the management command."""
    report = _new_report(quarter=quarter, user=user, send=send, strategy=strategy)
    try:
        report = report_build(report_id=report.pk)
        if send:
            report = report_send(report_id=report.pk, final_attempt=True)
    except Exception as exc:
        logger.exception("Building or sending %s failed", report)
        report_fail(report_id=report.pk, error=str(exc))
        report.refresh_from_db()
    return report


def _new_report(*, quarter: Quarter, user, send: bool, strategy) -> BoardReport:
    if user is not None and not access.can_request_reports(user):
        raise PermissionDenied("Only administrators can request board reports.")
    strategy = strategy or themes_selectors.active_strategy()
    if strategy is None:
        raise ValidationError({"quarter": "There is no active strategy to report on."})
    if quarter > clock.current_quarter():
        raise ValidationError({"quarter": f"{quarter.label} has not started yet."})
    if quarter.year not in strategy.years:
        raise ValidationError({"quarter": f"{quarter.label} is outside {strategy.title}."})
    report = BoardReport(
        strategy=strategy,
        period=quarter.code,
        version=next_version(strategy=strategy, quarter=quarter),
        send_when_built=send,
        requested_by=user,
        requested_at=clock.now(),
    )
    report.full_clean()
    report.save()
    return report


def next_version(*, strategy, quarter: Quarter) -> int:
    """The version a report of `quarter` asked for now is: one more than the last superseded one."""
    superseded = BoardReport.objects.filter(
        strategy=strategy, period=quarter.code, superseded_at__isnull=False
    ).aggregate(last=Max("version"))["last"]
    return (superseded or 0) + 1


def _enqueue(task: str, report_id: int) -> None:
    from reporting import tasks  # the tasks module imports this one

    target = {"build": tasks.build_report, "send": tasks.send_report}[task]
    # After commit: a worker must never look for a report that is not saved yet.
    transaction.on_commit(lambda: target.delay(report_id))


# --- building ---------------------------------------------------------------


@functools.cache
def _report_templates() -> Engine:
    """A template engine for the report alone, with only the tag library it loads.

    Django's own engine imports every installed app's template tags the first time
    it renders anything (the REST framework's pull in requests and pygments, the
    reminders' the holiday calendars): about 20 MB that a process building a
    report (the command, a fresh worker) would otherwise carry through the build.
    """
    return Engine(
        dirs=settings.TEMPLATES[0]["DIRS"],
        app_dirs=True,
        debug=settings.DEBUG,
        libraries={"reporting_tags": "reporting.templatetags.reporting_tags"},
    )


def report_html(report: BoardReport, *, for_browser: bool = False) -> str:
    """The report as one HTML document: the PDF's source, and the preview."""
    return _report_templates().render_to_string(
        "reporting/report.html", report_context(report, for_browser=for_browser)
    )


def report_context(report: BoardReport, *, for_browser: bool = False) -> dict:
    """What reporting/report.html is given."""
    from reporting import charts

    content = selectors.content_for(report)
    return {
        "content": content,
        # A reopened quarter's later report says which version it is, on its cover.
        "version": report.version,
        "rag_chart": charts.rag_bars(content.summary, title="Actions by RAG rating"),
        "theme_chart": charts.theme_rows(content.themes, title="Actions by theme and RAG rating"),
        "trend_chart": charts.trend(content.trend, title="RAG ratings at the end of each quarter"),
        "stylesheet": "/static/reporting/report.css"
        if for_browser
        else "portal-static:/reporting/report.css",
        "for_browser": for_browser,
        "back_url": report.get_absolute_url() if report.pk else "/reports/",
        "running_title": _css_string(content.title),
        "portal_organisation": settings.PORTAL_ORGANISATION,
        "portal_name": settings.PORTAL_NAME,
    }


def _css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and "<" (so it cannot end the <style>) escaped."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<>\n' else ch for ch in text)
    return mark_safe(f'"{escaped}"')


def report_build(*, report_id: int) -> BoardReport:
    """Build the PDF. Idempotent: the same quarter data gives the same PDF."""
    claimed = BoardReport.objects.filter(pk=report_id, state__in=[State.QUEUED, State.BUILDING]).update(
        state=State.BUILDING, error=""
    )
    report = BoardReport.objects.get(pk=report_id)
    if not claimed:
        return report  # already built (or sent): nothing to do
    return _write_pdf(report, next_state=State.READY, from_state=State.BUILDING)


def _write_pdf(report: BoardReport, *, next_state: str, from_state: str) -> BoardReport:
    locked = windows.is_quarter_locked(report.quarter)
    rendered = render(report_html(report))
    name = f"reports/{report.pk}-{report.filename}"
    report.pdf.storage.delete(name)  # a rebuild replaces the file rather than adding a suffix
    stored = report.pdf.storage.save(name, ContentFile(rendered.content))
    updated = BoardReport.objects.filter(pk=report.pk, state=from_state).update(
        state=next_state,
        pdf=stored,
        sha256=rendered.sha256,
        page_count=rendered.page_count,
        built_at=clock.now(),
        quarter_locked=locked,
    )
    report.refresh_from_db()
    if updated:
        logger.info("Built %s: %s pages, sha256 %s", report, rendered.page_count, rendered.sha256)
    return report


def report_fail(*, report_id: int, error: str) -> None:
    """The visible end of a job that could not finish."""
    BoardReport.objects.filter(pk=report_id).exclude(state=State.SENT).update(
        state=State.FAILED, error=error[:2000]
    )


# --- sending ----------------------------------------------------------------


SEND_NOT_CONFIRMED = "Tick the box to confirm you have checked the report and want to send it"


def send_refusal(report: BoardReport) -> str:
    """Why `report` cannot be sent to the board now ("" when it can)."""
    if report.is_superseded:
        return "This report has been superseded: it cannot be sent again."
    if report.state != State.READY:
        return f"Only a ready report can be sent; this one is {report.get_state_display().lower()}."
    sent = _sent_version(report)
    if sent is not None:
        when = f" on {timezone.localtime(sent.sent_at):%-d %B %Y}" if sent.sent_at else ""
        return (
            f"The {report.quarter.label} report (version {sent.version}) has already gone to the "
            f"board{when}. To send a new version, reopen {report.quarter.label} from that report's page."
        )
    return ""


def _sent_version(report: BoardReport) -> BoardReport | None:
    """Another report of the same quarter that went (or is going) to the board and is not superseded."""
    return (
        BoardReport.objects.filter(
            strategy=report.strategy_id, period=report.period, superseded_at__isnull=True
        )
        .exclude(pk=report.pk)
        .filter(Q(state__in=[State.SENDING, State.SENT]) | Q(deliveries__isnull=False))
        .order_by("sent_at")
        .first()
    )


def report_send_request(*, report: BoardReport, user, confirmed: bool) -> BoardReport:
    """An administrator sends a ready report to the board, having confirmed it on the send page.

    The API's `send: true` and the request form's "send when built" are their own
    confirmations (report_request); this is the report page's send.
    """
    if not access.can_request_reports(user):
        raise PermissionDenied("Only administrators can send board reports.")
    if not confirmed:
        raise ValidationError({"confirm": SEND_NOT_CONFIRMED})
    refusal = send_refusal(report)
    if refusal:
        raise ValidationError(refusal)
    BoardReport.objects.filter(pk=report.pk, state=State.READY).update(sent_by=user, send_when_built=True)
    _enqueue("send", report.pk)
    report.refresh_from_db()
    return report


def report_send(*, report_id: int, final_attempt: bool = True) -> BoardReport:
    """E-mail the report to every recipient who has not had it. Safe to run any number of times.

    Raises SendIncomplete when a delivery failed for a reason worth retrying and
    this is not the final attempt; on the final attempt those deliveries, and the
    report, are marked failed with the error.
    """
    report = BoardReport.objects.get(pk=report_id)
    if report.state == State.READY:
        report = _start_sending(report)
    if report.state != State.SENDING:
        return report  # sent, failed or not built: nothing to send

    pdf = report.pdf.read() if report.pdf else b""
    report.pdf.close()
    retryable = []
    for delivery in report.deliveries.filter(state=DState.PENDING):
        try:
            delivery_send(delivery=delivery, report=report, pdf=pdf)
        except (smtplib.SMTPException, OSError) as exc:
            if _is_permanent(exc):
                _delivery_fail(delivery, _describe(exc))
            else:
                retryable.append(delivery.pk)
    _expire_stale_claims(report)
    if retryable and not final_attempt:
        raise SendIncomplete(f"{len(retryable)} deliveries will be retried.")
    for delivery in Delivery.objects.filter(pk__in=retryable, state=DState.PENDING):
        _delivery_fail(delivery, delivery.error or "Not delivered after several attempts.")
    return _finish(report)


def _start_sending(report: BoardReport) -> BoardReport:
    """Lock the quarter, make sure the PDF is the locked picture, and list the deliveries."""
    # Whoever sends (or asked for it to be sent) locks the quarter; the schedule is no one.
    sender = report.sent_by or report.requested_by
    refusal = send_refusal(report)
    if refusal:
        # Asked to send when built, but this quarter has gone to the board already:
        # sending would e-mail the board the same quarter twice.
        report_fail(report_id=report.pk, error=refusal)
        return BoardReport.objects.get(pk=report.pk)
    plan_services.quarter_lock(
        quarter=report.quarter, user=sender, reason=f"Reported to the board ({report})"
    )
    if not report.quarter_locked:
        # Built before the lock: rebuild so what the board gets is what the
        # locked quarter will always rebuild to.
        report = _write_pdf(report, next_state=State.READY, from_state=State.READY)
    with transaction.atomic():
        if not BoardReport.objects.filter(pk=report.pk, state=State.READY).update(
            state=State.SENDING, sent_by=sender
        ):
            return BoardReport.objects.get(pk=report.pk)
        for recipient in selectors.active_recipients():
            Delivery.objects.get_or_create(
                report=report,
                email=recipient.email,
                defaults={"recipient": recipient, "name": recipient.name},
            )
    report.refresh_from_db()
    return report


def delivery_send(*, delivery: Delivery, report: BoardReport, pdf: bytes) -> bool:
    """Send one recipient's copy if nobody else has; True if this call sent it."""
    claimed = Delivery.objects.filter(pk=delivery.pk, state=DState.PENDING).update(
        state=DState.SENDING, attempts=F("attempts") + 1, claimed_at=clock.now()
    )
    if not claimed:
        return False  # another worker has it, or it is already sent
    try:
        emails.send(
            "board_report",
            [f"{delivery.name} <{delivery.email}>"],
            {"report": report, "recipient_name": delivery.name, "quarter": report.quarter},
            attachments=[(report.filename, pdf, "application/pdf")],
        )
    except Exception as exc:
        # Back to pending so a retry can claim it again; the error stays visible.
        Delivery.objects.filter(pk=delivery.pk, state=DState.SENDING).update(
            state=DState.PENDING, error=_describe(exc)
        )
        raise
    Delivery.objects.filter(pk=delivery.pk, state=DState.SENDING).update(
        state=DState.SENT, sent_at=clock.now(), error=""
    )
    return True


def _delivery_fail(delivery: Delivery, error: str) -> None:
    Delivery.objects.filter(pk=delivery.pk, state__in=[DState.PENDING, DState.SENDING]).update(
        state=DState.FAILED, error=error
    )


def _expire_stale_claims(report: BoardReport) -> None:
    cutoff = clock.now() - STALE_CLAIM
    Delivery.objects.filter(report=report, state=DState.SENDING, claimed_at__lt=cutoff).update(
        state=DState.FAILED,
        error="Interrupted while sending: it may or may not have arrived. Retry sends it again.",
    )


def _finish(report: BoardReport) -> BoardReport:
    states = set(report.deliveries.values_list("state", flat=True))
    if DState.PENDING in states or DState.SENDING in states:
        return report  # another worker is still sending; it will finish the report
    if DState.FAILED in states:
        failed = report.deliveries.filter(state=DState.FAILED)
        error = "Not delivered to " + "; ".join(f"{d.email} ({d.error})" for d in failed)
        BoardReport.objects.filter(pk=report.pk, state=State.SENDING).update(state=State.FAILED, error=error)
    else:
        BoardReport.objects.filter(pk=report.pk, state=State.SENDING).update(
            state=State.SENT, sent_at=clock.now(), error=""
        )
    report.refresh_from_db()
    return report


def _is_permanent(exc: Exception) -> bool:
    """A 5xx reply says retrying will not help; 4xx and network errors might."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {_text(msg)}" for code, msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def _text(message) -> str:
    return message.decode(errors="replace") if isinstance(message, bytes) else str(message)


# --- retrying ---------------------------------------------------------------


def report_retry(*, report: BoardReport, user) -> BoardReport:
    """Start a failed report again from where it stopped: rebuild, or resend the undelivered."""
    if not access.can_request_reports(user):
        raise PermissionDenied("Only administrators can retry board reports.")
    if report.state != State.FAILED:
        raise ValidationError("Only a failed report can be retried.")
    if report.is_superseded:
        raise ValidationError(
            "This report has been superseded: its quarter was reopened, so it is not sent again."
        )
    with transaction.atomic():
        if report.deliveries.exists():
            report.deliveries.filter(state=DState.FAILED).update(state=DState.PENDING)
            step, state = "send", State.SENDING
        elif report.sha256:
            step, state = ("send", State.READY) if report.send_when_built else (None, State.READY)
        else:
            step, state = "build", State.QUEUED
        if not BoardReport.objects.filter(pk=report.pk, state=State.FAILED).update(state=state, error=""):
            raise ValidationError("This report changed while you were looking at it. Refresh the page.")
        if step:
            _enqueue(step, report.pk)
    report.refresh_from_db()
    return report


# --- the schedule -----------------------------------------------------------


def report_schedule_due(*, today: datetime.date | None = None) -> BoardReport | None:
    """Request and send the previous quarter's report once it is due. Idempotent.

    Due on the strategy's reporting calendar's board-report day (reminders.calendar:
    BOARD_REPORT_DAYS_AFTER_QUARTER days after the quarter ends, but never before
    the day late updates are escalated), so the calendar officers see is the day
    the report really goes. Runs
    daily, so a day the scheduler was down is caught up. A quarter the schedule
    already asked for, or that was already sent, is never asked for again: a
    second report would e-mail the board a second time. That holds after the quarter
    is reopened too (the sent report, superseded, is still there): the new version
    is an administrator's to request and send.
    """
    from reminders.selectors import dates_for

    today = today or clock.today()
    quarter = Quarter.containing(today).previous()
    strategy = themes_selectors.active_strategy()
    if strategy is None or quarter.year not in strategy.years:
        return None
    if today < dates_for(strategy, quarter).board_report_on:
        return None
    existing = BoardReport.objects.filter(strategy=strategy, period=quarter.code)
    if existing.filter(requested_by__isnull=True).exists() or existing.filter(state=State.SENT).exists():
        return None
    return report_request(quarter=quarter, send=True, strategy=strategy)


# --- reopening --------------------------------------------------------------


def reopen_refusal(report: BoardReport) -> str:
    """Why `report`'s quarter cannot be reopened from it ("" when it can)."""
    if report.is_superseded:
        return (
            f"This report was superseded on {timezone.localtime(report.superseded_at):%-d %B %Y}: "
            f"{report.quarter.label} has been reopened already."
        )
    if report.state != State.SENT:
        return "A quarter is reopened from the page of the report that was sent to the board."
    latest = windows.locked_up_to()
    if latest is None or report.quarter > latest:
        return f"{report.quarter.label} is not locked."
    if report.quarter != latest:
        return (
            f"Only the latest locked quarter, {latest.label}, can be reopened: "
            f"{report.quarter.label} is locked because {latest.label} is."
        )
    if BoardReport.objects.filter(period=report.period, state=State.SENDING).exists():
        return f"A {report.quarter.label} report is being sent: wait until it has finished."
    return ""


def report_quarter_reopen(*, report: BoardReport, user, reason: str) -> BoardReport:
    """Reopen a sent report's quarter (actionplan.services.quarter_reopen) and mark it superseded.

    The sent report stays exactly as it went (PDF, SHA-256, deliveries); it is
    marked superseded with who reopened the quarter, when and why. Every report
    of the quarter that reached the board is; the ones not sent yet become the
    next version, to be rebuilt from the quarter as it is locked again when sent.
    """
    if not access.can_lock_quarters(user):
        raise PermissionDenied("Only administrators can reopen quarters.")
    refusal = reopen_refusal(report)
    if refusal:
        raise ValidationError(refusal)
    reason = (reason or "").strip()
    with transaction.atomic():
        plan_services.quarter_reopen(quarter=report.quarter, user=user, reason=reason)
        now = clock.now()
        reached_board = (
            BoardReport.objects.filter(period=report.period, superseded_at__isnull=True)
            .filter(Q(state=State.SENT) | Q(deliveries__isnull=False))
            .values_list("pk", flat=True)
        )
        for old in BoardReport.objects.select_for_update().filter(pk__in=list(reached_board)):
            old.superseded_at, old.superseded_by, old.superseded_reason = now, user, reason
            _save_with_history(
                old,
                user,
                f"Superseded: {report.quarter.label} reopened",
                "superseded_at",
                "superseded_by",
                "superseded_reason",
            )
        for waiting in BoardReport.objects.filter(period=report.period, superseded_at__isnull=True):
            waiting.version = next_version(strategy=waiting.strategy, quarter=waiting.quarter)
            waiting.quarter_locked = False
            _save_with_history(
                waiting,
                user,
                f"Version {waiting.version}: {report.quarter.label} reopened",
                "version",
                "quarter_locked",
            )
    report.refresh_from_db()
    return report


def _save_with_history(report: BoardReport, user, change: str, *fields: str) -> None:
    report._history_user = user
    report._change_reason = change[:100]
    report.save(update_fields=list(fields))
