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
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Max, Q
from django.template import Engine
from django.utils import timezone
from django.utils.safestring import mark_safe

from accounts import access
from actionplan import services as plan_services
from actionplan import window as windows
from core import clock, emails
from core.persist import persist
from core.quarters import Quarter
from reporting import selectors
from reporting.models import BoardReport, Delivery
from reporting.pdf import render
from themes import selectors as themes_selectors

logger = logging.getLogger(__name__)

State = BoardReport.State
DState = Delivery.State

INTERRUPTED = (
    "Interrupted while sending (the worker stopped): it may or may not have arrived. "
    "Retry sends it again, with the same Message-ID."
)


def stale_claim() -> datetime.timedelta:
    """A claim (building, sending) older than this was made by a worker that died."""
    return datetime.timedelta(seconds=settings.BOARD_REPORT_STALE_CLAIM_SECONDS)


def retry_delay(retries: int) -> float:
    """Seconds before retry number `retries + 1`: the base, doubling, capped at an hour."""
    return min(settings.BOARD_REPORT_RETRY_BACKOFF * 2**retries, 3600)


class SendIncomplete(Exception):
    """Some deliveries failed for a reason worth retrying (the task backs off and retries)."""

    def __init__(self, message: str, *, countdown: float = 0):
        super().__init__(message)
        self.countdown = countdown


# --- requesting -------------------------------------------------------------


def report_request(
    *,
    quarter: Quarter,
    user=None,
    send: bool = False,
    strategy=None,
    report_early: bool = False,
    scheduled: bool = False,
) -> BoardReport:
    """Ask for a quarter's report; the build (and send) is queued once the request is saved.

    If the broker cannot be reached the report ends failed at once, saying so (Retry
    queues it again): never "queued" with nothing queued.
    """
    report = _new_report(
        quarter=quarter,
        user=user,
        send=send,
        strategy=strategy,
        report_early=report_early,
        scheduled=scheduled,
    )
    _enqueue("build", report.pk)
    report.refresh_from_db()
    return report


def report_run_now(
    *, quarter: Quarter, send: bool = False, user=None, strategy=None, report_early: bool = False
) -> BoardReport:
    """Build (and send) in this process, without a broker: the management command."""
    report = _new_report(
        quarter=quarter, user=user, send=send, strategy=strategy, report_early=report_early, scheduled=False
    )
    try:
        report = report_build(report_id=report.pk)
        if send:
            report = report_send(report_id=report.pk, final_attempt=True)
    except Exception as exc:
        logger.exception("Building or sending %s failed", report)
        report_fail(report_id=report.pk, error=str(exc))
        report.refresh_from_db()
    return report


def _new_report(
    *, quarter: Quarter, user, send: bool, strategy, report_early: bool, scheduled: bool
) -> BoardReport:
    if user is not None and not access.can_request_reports(user):
        raise PermissionDenied("Only administrators can request board reports.")
    strategy = strategy or themes_selectors.active_strategy()
    if strategy is None:
        raise ValidationError({"quarter": "There is no active strategy to report on."})
    if quarter > clock.current_quarter():
        raise ValidationError({"quarter": f"{quarter.label} has not started yet."})
    if quarter.year not in strategy.years:
        raise ValidationError({"quarter": f"{quarter.label} is outside {strategy.title}."})
    if send:
        early = early_refusal(quarter, report_early=report_early)
        if early:
            raise ValidationError({"quarter": early})
    report = BoardReport(
        strategy=strategy,
        period=quarter.code,
        version=next_version(strategy=strategy, quarter=quarter),
        send_when_built=send,
        requested_by=user,
        requested_at=clock.now(),
        scheduled=scheduled,
        report_early=bool(send and report_early and is_unfinished(quarter)),
    )
    report.full_clean()
    with transaction.atomic():
        # IntegrityError here: the schedule, run twice at once, already has this quarter.
        report.save()
    return report


def is_unfinished(quarter: Quarter) -> bool:
    """The quarter has not ended yet: updates for it are still to come."""
    return clock.today() <= quarter.last_day


REPORT_EARLY_LABEL = "Report early: send it before the quarter has ended"


def early_refusal(quarter: Quarter, *, report_early: bool) -> str:
    """Why sending `quarter` now needs an explicit "report early" ("" when it does not).

    Sending locks the quarter, and every quarter before it: sending one that has not
    ended would stop its updates weeks early. The page, the API and the command all
    ask this, through _new_report and send_refusal.
    """
    if report_early or not is_unfinished(quarter):
        return ""
    return (
        f"{quarter.label} has not ended yet (it ends on {quarter.last_day:%-d %B %Y}). Sending it now "
        f'would lock it with its updates still to come. Confirm "report early" to send it anyway.'
    )


def next_version(*, strategy, quarter: Quarter) -> int:
    """The version a report of `quarter` asked for now is: one more than the last superseded one."""
    superseded = BoardReport.objects.filter(
        strategy=strategy, period=quarter.code, superseded_at__isnull=False
    ).aggregate(last=Max("version"))["last"]
    return (superseded or 0) + 1


QUEUE_DOWN = (
    "The job queue could not be reached, so nothing was {done}: {error}. "
    "Retry once the queue (the broker) is back."
)


def _enqueue(task: str, report_id: int, *, countdown: int | None = None) -> None:
    """Queue the report's next step once the caller's transaction commits.

    After commit: a worker must never look for a report that is not saved yet. A
    broker that cannot be reached fails the report at once with the reason, so it
    is never left "queued" with nothing queued; Retry queues it again.
    """
    from reporting import tasks  # the tasks module imports this one

    target = {"build": tasks.build_report, "send": tasks.send_report}[task]

    def publish():
        try:
            target.apply_async((report_id,), countdown=countdown)
        except Exception as exc:  # noqa: BLE001 - kombu, redis and socket errors alike
            logger.error("Could not queue %s of board report %s: %s", task, report_id, exc)
            done = "built" if task == "build" else "sent"
            report_fail(report_id=report_id, error=QUEUE_DOWN.format(done=done, error=_describe(exc)))

    transaction.on_commit(publish)


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
    """Build the PDF. Idempotent: the same quarter data gives the same PDF.

    Every start counts (build_attempts), redeliveries of a job whose worker was
    killed included: one started more than BOARD_REPORT_BUILD_ATTEMPTS times
    without finishing ends failed, saying so, instead of being redelivered forever.
    """
    claimed = BoardReport.objects.filter(pk=report_id, state__in=[State.QUEUED, State.BUILDING]).update(
        state=State.BUILDING, error="", step_started_at=clock.now(), build_attempts=F("build_attempts") + 1
    )
    report = BoardReport.objects.get(pk=report_id)
    if not claimed:
        return report  # already built (or sent): nothing to do
    if report.build_attempts > settings.BOARD_REPORT_BUILD_ATTEMPTS:
        report_fail(
            report_id=report_id,
            error=f"The build was started {report.build_attempts - 1} times and never finished: the "
            "worker building it stopped each time (often for lack of memory). Retry builds it again.",
        )
        return BoardReport.objects.get(pk=report_id)
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
    persist(
        lambda: (
            BoardReport.objects.filter(pk=report_id)
            .exclude(state=State.SENT)
            .update(state=State.FAILED, error=error[:2000], retry_at=None)
        )
    )


# --- sending ----------------------------------------------------------------


SEND_NOT_CONFIRMED = "Tick the box to confirm you have checked the report and want to send it"


def send_refusal(report: BoardReport, *, report_early: bool = False) -> str:
    """Why `report` cannot be sent to the board now ("" when it can).

    A quarter that has not ended is refused unless the report was confirmed early
    (`report_early`, or the report's own report_early from its request).
    """
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
    return early_refusal(report.quarter, report_early=report_early or report.report_early)


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


def report_send_request(
    *, report: BoardReport, user, confirmed: bool, report_early: bool = False
) -> BoardReport:
    """An administrator sends a ready report to the board, having confirmed it on the send page.

    The API's `send: true` and the request form's "send when built" are their own
    confirmations (report_request); this is the report page's send. A quarter that
    has not ended needs `report_early` as well.
    """
    if not access.can_request_reports(user):
        raise PermissionDenied("Only administrators can send board reports.")
    if not confirmed:
        raise ValidationError({"confirm": SEND_NOT_CONFIRMED})
    refusal = send_refusal(report, report_early=True)
    if refusal:
        raise ValidationError(refusal)
    early = send_refusal(report, report_early=report_early)
    if early:
        raise ValidationError({"report_early": early})
    BoardReport.objects.filter(pk=report.pk, state=State.READY).update(
        sent_by=user, send_when_built=True, report_early=report.report_early or report_early
    )
    _enqueue("send", report.pk)
    report.refresh_from_db()
    return report


def report_send(*, report_id: int, final_attempt: bool | None = None) -> BoardReport:
    """E-mail the report to every recipient who has not had it. Safe to run any number of times.

    Every run counts (send_attempts), a redelivery after a worker died included;
    the run after BOARD_REPORT_SEND_RETRIES retries is the final one (or the
    caller says, `final_attempt`). Raises SendIncomplete, with the backoff, when a
    delivery failed for a reason worth retrying and this is not the final attempt;
    on the final attempt those deliveries, and the report, are marked failed with
    the error. A database error propagates, leaving the claims for the retry.
    """
    report = BoardReport.objects.get(pk=report_id)
    if report.state == State.READY:
        report = _start_sending(report)
    if report.state != State.SENDING:
        return report  # sent, failed or not built: nothing to send
    BoardReport.objects.filter(pk=report_id, state=State.SENDING).update(
        send_attempts=F("send_attempts") + 1, retry_at=None
    )
    report.refresh_from_db()
    if final_attempt is None:
        final_attempt = report.send_attempts > settings.BOARD_REPORT_SEND_RETRIES

    pdf = report.pdf.read() if report.pdf else b""
    report.pdf.close()
    retryable = []
    for delivery in report.deliveries.filter(state=DState.PENDING):
        try:
            delivery_send(delivery=delivery, report=report, pdf=pdf)
        except DatabaseError:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            if _is_permanent(exc):
                _delivery_fail(delivery, _describe(exc))
            else:
                retryable.append(delivery.pk)
        except Exception as exc:  # noqa: BLE001 - one bad recipient fails alone, named
            logger.warning("Board report %s to %s failed: %s", report_id, delivery.email, exc)
            _delivery_fail(delivery, f"Could not send to {delivery.name}: {_describe(exc)}")
    _expire_stale_claims(report)
    if retryable and not final_attempt:
        countdown = retry_delay(report.send_attempts - 1)
        BoardReport.objects.filter(pk=report_id, state=State.SENDING).update(
            retry_at=clock.now() + datetime.timedelta(seconds=countdown)
        )
        raise SendIncomplete(f"{len(retryable)} deliveries will be retried.", countdown=countdown)
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
            state=State.SENDING, sent_by=sender, step_started_at=clock.now(), send_attempts=0, retry_at=None
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


def delivery_message_id(delivery: Delivery) -> str:
    """The delivery's Message-ID: the same on every try, so a resend is the same message."""
    return emails.message_id("board-report", delivery.report_id, delivery.pk)


def delivery_send(*, delivery: Delivery, report: BoardReport, pdf: bytes) -> bool:
    """Send one recipient's copy if nobody else has; True if this call sent it.

    Once the server has accepted the message, recording it is retried through a
    lost database connection (_persist), so an e-mail that left is not left
    "sending". An SMTP error puts the delivery back to pending for the retry.
    """
    claimed = Delivery.objects.filter(pk=delivery.pk, state=DState.PENDING).update(
        state=DState.SENDING, attempts=F("attempts") + 1, claimed_at=clock.now()
    )
    if not claimed:
        return False  # another worker has it, or it is already sent
    try:
        emails.send(
            "board_report",
            [emails.address(delivery.name, delivery.email)],
            {"report": report, "recipient_name": delivery.name, "quarter": report.quarter},
            attachments=[(report.filename, pdf, "application/pdf")],
            message_id=delivery_message_id(delivery),
        )
    except DatabaseError:
        raise  # the claim stays; the sweeper expires it if no retry finishes it
    except Exception as exc:
        # Back to pending so a retry can claim it again; the error stays visible.
        error = _describe(exc)
        persist(
            lambda: Delivery.objects.filter(pk=delivery.pk, state=DState.SENDING).update(
                state=DState.PENDING, error=error
            )
        )
        raise
    persist(
        lambda: Delivery.objects.filter(pk=delivery.pk, state=DState.SENDING).update(
            state=DState.SENT, sent_at=clock.now(), error=""
        )
    )
    return True


def _delivery_fail(delivery: Delivery, error: str) -> None:
    Delivery.objects.filter(pk=delivery.pk, state__in=[DState.PENDING, DState.SENDING]).update(
        state=DState.FAILED, error=error
    )


def _expire_stale_claims(report: BoardReport | None = None) -> int:
    """Fail the claims of deliveries whose sender died mid-send (older than stale_claim())."""
    stale = Delivery.objects.filter(state=DState.SENDING, claimed_at__lt=clock.now() - stale_claim())
    if report is not None:
        stale = stale.filter(report=report)
    return stale.update(state=DState.FAILED, error=INTERRUPTED)


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
        if not BoardReport.objects.filter(pk=report.pk, state=State.FAILED).update(
            state=state,
            error="",
            build_attempts=0,
            send_attempts=0,
            retry_at=None,
            step_started_at=clock.now(),
        ):
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
    if (
        existing.filter(Q(requested_by__isnull=True) | Q(scheduled=True)).exists()
        or existing.filter(state=State.SENT).exists()
    ):
        return None
    try:
        return report_request(quarter=quarter, send=True, strategy=strategy, scheduled=True)
    except (IntegrityError, ValidationError):
        # Run twice at once (two beats, a catch-up after workers were down): the
        # database's one_scheduled_report_per_quarter let the other run's in, refused
        # at the insert (IntegrityError) or already by full_clean's constraint check.
        if existing.filter(scheduled=True).exists():
            return None
        raise


# --- the sweeper ------------------------------------------------------------


def report_sweep() -> dict[str, int]:
    """Give every report and delivery left behind by a dead worker or a lost job a way out.

    Run every few minutes by beat (reporting.tasks.sweep_reports). What it does:
    - a delivery claimed longer ago than stale_claim() is failed ("may or may not
      have arrived"): Retry sends it again with the same Message-ID;
    - a report building past BOARD_REPORT_BUILD_DEADLINE_SECONDS is failed;
    - a report queued but never picked up (the broker lost the job) is queued
      again, and failed once past the build deadline;
    - a report sending whose job is gone (no claim in progress, no retry due) is
      queued again, and past BOARD_REPORT_SEND_DEADLINE_SECONDS its undelivered
      recipients and the report are failed.
    Every step is a conditional update, so the sweeper and a live worker cannot
    both act on the same record.
    """
    now = clock.now()
    stale = now - stale_claim()
    build_seconds = settings.BOARD_REPORT_BUILD_DEADLINE_SECONDS
    build_deadline = now - datetime.timedelta(seconds=build_seconds)
    send_deadline = now - datetime.timedelta(seconds=settings.BOARD_REPORT_SEND_DEADLINE_SECONDS)
    done = {"claims_expired": _expire_stale_claims(), "failed": 0, "requeued": 0}

    for report in BoardReport.objects.filter(state=State.BUILDING, step_started_at__lt=build_deadline):
        report_fail(report_id=report.pk, error=_late("building", build_seconds))
        done["failed"] += 1
    for report in BoardReport.objects.filter(state=State.QUEUED, requested_at__lt=stale):
        if report.requested_at < build_deadline:
            report_fail(report_id=report.pk, error=_late("queued", build_seconds))
            done["failed"] += 1
        else:
            _enqueue("build", report.pk)
            done["requeued"] += 1
    for report in BoardReport.objects.filter(state=State.SENDING):
        deliveries = report.deliveries.all()
        if report.step_started_at and report.step_started_at < send_deadline:
            late = _late("sending", settings.BOARD_REPORT_SEND_DEADLINE_SECONDS)
            deliveries.filter(state=DState.PENDING).update(state=DState.FAILED, error=late)
            _finish(report)
            done["failed"] += 1
            continue
        if deliveries.filter(state=DState.SENDING).exists():
            continue  # a worker is sending now
        if report.retry_at is not None and report.retry_at > stale:
            continue  # its retry is waiting in the broker, and not overdue
        last = max(
            [report.step_started_at or report.requested_at]
            + [d.claimed_at for d in deliveries if d.claimed_at is not None]
        )
        if not deliveries.filter(state=DState.PENDING).exists():
            _finish(report)
        elif last < stale:
            _enqueue("send", report.pk)
            done["requeued"] += 1
    return done


def _late(state: str, seconds: int) -> str:
    return (
        f"Still {state} after {seconds // 60} minutes: the job was lost or its worker stopped. "
        "Retry starts it again from where it stopped."
    )


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
