"""Build and send: idempotent builds, each recipient e-mailed exactly once, visible failures."""

import datetime
import io
import smtplib

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from actionplan import window
from actionplan.factories import UpdateFactory
from actionplan.models import QuarterLock
from actionplan.services import quarter_lock
from core.quarters import Quarter
from reporting import services, tasks
from reporting.factories import RecipientFactory, at, quarter_story
from reporting.models import BoardReport, Delivery

pytestmark = pytest.mark.django_db
Q3 = Quarter(2022, 3)
State, DState = BoardReport.State, Delivery.State


@pytest.fixture
def story(strategy, officer, colleague, maidstone, swale):
    return quarter_story(strategy=strategy, officer=officer, colleague=colleague, partners=[maidstone, swale])


@pytest.fixture
def board(db):
    return [
        RecipientFactory(name="Margaret Ellis", email="chair@board.example.org"),
        RecipientFactory(name="Robert Singh", email="finance@board.example.org"),
        RecipientFactory(name="Former Member", email="gone@board.example.org", is_active=False),
    ]


def page_texts(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def built(administrator, *, send=False) -> BoardReport:
    report = services.report_run_now(quarter=Q3, user=administrator, send=send)
    assert report.state == (State.SENT if send else State.READY), report.error
    return report


def messages_to(address):
    return [m for m in mail.outbox if any(address in to for to in m.to)]


def test_request_queues_the_build_after_commit(story, administrator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = services.report_request(quarter=Q3, user=administrator)
    assert report.state == State.QUEUED and len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()  # the in-process (eager) worker
    report.refresh_from_db()
    assert report.state == State.READY
    assert report.page_count >= 8 and len(report.sha256) == 64
    assert not report.quarter_locked


def test_request_and_send_runs_the_whole_chain(
    story, administrator, board, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(quarter=Q3, user=administrator, send=True)
    report.refresh_from_db()
    assert report.state == State.SENT
    assert sorted(len(messages_to(r.email)) for r in board) == [0, 1, 1]
    message = messages_to("chair@board.example.org")[0]
    assert message.subject == f"{story['1.1'].plan.strategy.title}: progress report 2022/23 Q3"
    assert "Dear Margaret Ellis" in message.body
    ((filename, content, mimetype),) = message.attachments
    assert filename == "board-report-2022-23-q3.pdf" and mimetype == "application/pdf"
    assert "2022/23 Q3" in " ".join(page_texts(content))
    assert window.is_quarter_locked(Q3)


def test_sending_twice_sends_nothing_twice(story, administrator, board, fast_pdf):
    report = built(administrator, send=True)
    services.report_send(report_id=report.pk)
    tasks.send_report.apply(args=[report.pk])
    assert len(mail.outbox) == 2
    assert set(report.deliveries.values_list("state", "attempts")) == {(DState.SENT, 1)}


def test_a_delivery_claimed_elsewhere_is_not_sent_again(story, administrator, board, fast_pdf):
    report = built(administrator)
    report.send_when_built = True
    report.save()
    services._start_sending(report)
    chair = report.deliveries.get(email="chair@board.example.org")
    # Another worker has claimed it and is talking to the SMTP server right now.
    Delivery.objects.filter(pk=chair.pk).update(state=DState.SENDING, claimed_at=chair.report.requested_at)
    services.report_send(report_id=report.pk)
    assert [m.to for m in mail.outbox] == [["Robert Singh <finance@board.example.org>"]]
    report.refresh_from_db()
    assert report.state == State.SENDING  # the other worker finishes it


def test_a_claim_abandoned_by_a_dead_worker_ends_failed_not_resent(story, administrator, board, fast_pdf):
    report = built(administrator)
    services._start_sending(report)
    chair = report.deliveries.get(email="chair@board.example.org")
    long_ago = at(datetime.date(2023, 1, 1))
    Delivery.objects.filter(pk=chair.pk).update(state=DState.SENDING, claimed_at=long_ago)
    report = services.report_send(report_id=report.pk)
    chair.refresh_from_db()
    assert chair.state == DState.FAILED and "may or may not have arrived" in chair.error
    assert report.state == State.FAILED and "chair@board.example.org" in report.error
    assert len(mail.outbox) == 1


class FlakySMTP:
    """Refuses the first `failures` messages with a temporary (4xx) or permanent (5xx) reply."""

    def __init__(self, failures, code=451):
        self.failures, self.code, self.calls = failures, code, 0

    def __call__(self, name, to, context, *, attachments=(), message_id=""):
        self.calls += 1
        if self.calls <= self.failures:
            raise smtplib.SMTPRecipientsRefused({to[0]: (self.code, b"Try again later")})
        from core import emails

        emails.build(name, to, context, attachments=attachments, message_id=message_id).send()


def test_temporary_smtp_failures_retry_then_deliver_once(story, administrator, board, monkeypatch, fast_pdf):
    report = built(administrator)
    services._start_sending(report)
    monkeypatch.setattr(services.emails, "send", FlakySMTP(failures=3))
    with pytest.raises(services.SendIncomplete):
        services.report_send(report_id=report.pk, final_attempt=False)
    assert set(report.deliveries.values_list("state", flat=True)) == {DState.PENDING}
    assert "451 Try again later" in report.deliveries.first().error
    with pytest.raises(services.SendIncomplete):
        services.report_send(report_id=report.pk, final_attempt=False)
    report = services.report_send(report_id=report.pk, final_attempt=False)
    assert report.state == State.SENT
    assert len(messages_to("chair@board.example.org")) == len(messages_to("finance@board.example.org")) == 1
    assert sorted(report.deliveries.values_list("attempts", flat=True)) == [2, 3]


def test_the_task_retries_with_backoff_then_fails_visibly(
    story, administrator, board, monkeypatch, settings, fast_pdf, django_capture_on_commit_callbacks
):
    settings.BOARD_REPORT_SEND_RETRIES = 2
    report = built(administrator)
    monkeypatch.setattr(services.emails, "send", FlakySMTP(failures=100))
    with django_capture_on_commit_callbacks(execute=True):
        services.report_send_request(
            report=report, user=administrator, confirmed=True
        )  # eager: retries run inline
    report.refresh_from_db()
    assert report.state == State.FAILED
    assert "Not delivered to chair@board.example.org (451 Try again later)" in report.error
    assert set(report.deliveries.values_list("state", "attempts")) == {(DState.FAILED, 3)}
    assert mail.outbox == []
    assert services.retry_delay(0) < services.retry_delay(1) < services.retry_delay(2)

    monkeypatch.setattr(services.emails, "send", FlakySMTP(failures=0))
    with django_capture_on_commit_callbacks(execute=True):
        services.report_retry(report=report, user=administrator)
    report.refresh_from_db()
    assert report.state == State.SENT
    assert len(mail.outbox) == 2


def test_a_permanent_refusal_fails_that_recipient_at_once(story, administrator, board, monkeypatch, fast_pdf):
    report = built(administrator)
    services._start_sending(report)
    monkeypatch.setattr(services.emails, "send", FlakySMTP(failures=1, code=550))
    report = services.report_send(report_id=report.pk, final_attempt=False)
    assert report.state == State.FAILED
    assert dict(report.deliveries.values_list("email", "state")) == {
        "chair@board.example.org": DState.FAILED,
        "finance@board.example.org": DState.SENT,
    }


def test_a_build_error_is_recorded_and_can_be_retried(
    story, administrator, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(html):
        raise RuntimeError("renderer out of memory")

    monkeypatch.setattr(services, "render", broken)
    report = services.report_run_now(quarter=Q3, user=administrator)
    assert report.state == State.FAILED and "renderer out of memory" in report.error
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_retry(report=report, user=administrator)
    report.refresh_from_db()
    assert report.state == State.READY and report.sha256


def test_building_twice_gives_the_same_pdf(story, administrator, fast_pdf):
    first = built(administrator)
    again = services.report_build(report_id=first.pk)
    assert again.sha256 == first.sha256  # already built: left alone
    second = built(administrator)
    assert second.sha256 == first.sha256  # same data, same bytes


def test_locked_quarter_rebuilds_to_the_same_page_text(story, administrator, settings, officer):
    quarter_lock(quarter=Q3, user=administrator)
    first = built(administrator)
    # Later: a new quarter's update, a new request date; the locked Q3 picture stays.
    settings.PORTAL_TODAY = "2023-02-20"
    UpdateFactory(action=story["1.1"], period=20224, status="in_progress", rag="green", percent_complete=80)
    second = built(administrator)
    assert second.requested_at.date() != first.requested_at.date()
    assert page_texts(second.pdf.read()) == page_texts(first.pdf.read())
    assert first.quarter_locked and second.quarter_locked


def test_sending_an_unlocked_build_locks_and_rebuilds_first(
    story, administrator, board, django_capture_on_commit_callbacks
):
    report = built(administrator)
    UpdateFactory(
        action=story["4.1"],
        period=Q3.code,
        status="in_progress",
        rag="green",
        percent_complete=5,
        commentary="Begun",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_send_request(report=report, user=administrator, confirmed=True)
    report.refresh_from_db()
    assert report.state == State.SENT and report.quarter_locked and report.sent_by == administrator
    assert QuarterLock.objects.get(period=Q3.code).locked_by == administrator
    text = " ".join(page_texts(messages_to("chair@board.example.org")[0].attachments[0][1]))
    assert "Begun" in text  # the late update made it into the locked picture the board gets


def test_only_a_ready_report_can_be_sent_and_only_a_failed_one_retried(story, administrator, board, fast_pdf):
    report = built(administrator, send=True)
    with pytest.raises(services.ValidationError):
        services.report_send_request(report=report, user=administrator, confirmed=True)
    with pytest.raises(services.ValidationError):
        services.report_retry(report=report, user=administrator)


def test_non_administrators_cannot_use_the_services(story, officer, board_member):
    for user in (officer, board_member):
        with pytest.raises(services.PermissionDenied):
            services.report_request(quarter=Q3, user=user)


def test_future_quarters_are_refused(story, administrator):
    with pytest.raises(services.ValidationError, match="has not started yet"):
        services.report_request(quarter=Quarter(2023, 1), user=administrator)
    assert not BoardReport.objects.exists()


def test_the_schedule_sends_last_quarter_once_when_due(
    story, board, settings, django_capture_on_commit_callbacks, fast_pdf
):
    settings.BOARD_REPORT_DAYS_AFTER_QUARTER = 15
    # 15 days after 31 December is 15 January, but updates are due on 16 January
    # (2 January is a bank holiday) and escalated on the 17th: the report waits.
    assert services.report_schedule_due(today=datetime.date(2023, 1, 16)) is None
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_schedule_due(today=datetime.date(2023, 1, 17))
    report.refresh_from_db()
    assert report.quarter == Q3 and report.requested_by is None and report.state == State.SENT
    assert services.report_schedule_due(today=datetime.date(2023, 1, 18)) is None
    assert tasks.schedule_board_report.apply().get() == "nothing due"
    assert len(mail.outbox) == 2


def test_the_beat_schedule_runs_daily_in_london_time(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["board-report"]
    assert entry["task"] == "reporting.tasks.schedule_board_report"
    assert settings.CELERY_TIMEZONE == "Europe/London"
    assert entry["schedule"].hour == {7}


def test_management_command_builds_and_sends(story, board, capsys, fast_pdf):
    call_command("build_board_report", year=2022, quarter=3, send=True)
    out = capsys.readouterr().out
    assert "Board report 2022/23 Q3: sent" in out
    assert "chair@board.example.org: sent" in out
    assert len(mail.outbox) == 2


def test_management_command_refuses_a_future_quarter(story):
    with pytest.raises(CommandError, match="has not started yet"):
        call_command("build_board_report", year=2023, quarter=2)


# --- faults: the sweeper, the broker, the build cap, report early (docs/reports.md "Faults") ---


def test_the_sweeper_fails_a_report_stuck_building_past_its_deadline(story, administrator, settings):
    settings.BOARD_REPORT_BUILD_DEADLINE_SECONDS = 60
    report = services._new_report(
        quarter=Quarter(2022, 3),
        user=administrator,
        send=False,
        strategy=None,
        report_early=False,
        scheduled=False,
    )
    long_ago = at(datetime.date(2023, 1, 1))
    BoardReport.objects.filter(pk=report.pk).update(state=State.BUILDING, step_started_at=long_ago)
    services.report_sweep()
    report.refresh_from_db()
    assert report.state == State.FAILED and "Still building after 1 minutes" in report.error


def test_the_sweeper_fails_undelivered_recipients_past_the_send_deadline(
    story, administrator, board, settings, fast_pdf
):
    settings.BOARD_REPORT_SEND_DEADLINE_SECONDS = 60
    report = services._start_sending(built(administrator))
    BoardReport.objects.filter(pk=report.pk).update(step_started_at=at(datetime.date(2023, 1, 1)))
    services.report_sweep()
    report.refresh_from_db()
    assert report.state == State.FAILED and "Still sending" in report.error
    assert set(report.deliveries.values_list("state", flat=True)) == {DState.FAILED}
    assert mail.outbox == []


def test_a_broker_that_cannot_be_reached_fails_the_request_with_the_reason(
    story, administrator, monkeypatch, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr(tasks.build_report, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(quarter=Quarter(2022, 3), user=administrator)
    report.refresh_from_db()
    assert report.state == State.FAILED
    assert "The job queue could not be reached, so nothing was built" in report.error


def test_a_build_started_too_often_ends_failed(story, administrator, settings):
    settings.BOARD_REPORT_BUILD_ATTEMPTS = 2
    report = services._new_report(
        quarter=Quarter(2022, 3),
        user=administrator,
        send=False,
        strategy=None,
        report_early=False,
        scheduled=False,
    )
    BoardReport.objects.filter(pk=report.pk).update(state=State.BUILDING, build_attempts=2)
    report = services.report_build(report_id=report.pk)
    assert report.state == State.FAILED and "never finished" in report.error


def test_sending_the_unfinished_quarter_needs_report_early(story, administrator):
    from django.core.exceptions import ValidationError

    q4 = Quarter(2022, 4)
    with pytest.raises(ValidationError, match="has not ended yet"):
        services.report_request(quarter=q4, user=administrator, send=True)
    assert not BoardReport.objects.exists()
    report = services.report_request(quarter=q4, user=administrator, send=True, report_early=True)
    assert report.report_early


def test_a_comma_in_a_name_is_quoted(story, administrator, fast_pdf):
    RecipientFactory(name="Ellis, Margaret", email="chair@board.example.org")
    report = services.report_send(report_id=built(administrator).pk)
    assert report.state == State.SENT
    (message,) = mail.outbox
    assert message.to == ['"Ellis, Margaret" <chair@board.example.org>']
    assert message.extra_headers["Message-ID"] == services.delivery_message_id(report.deliveries.get())
