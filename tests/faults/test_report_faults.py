"""The board report pipeline under each fault of issue 14's table (docs/reports.md, "Faults")."""

from __future__ import annotations

import threading
import time

import pytest

from tests.faults.conftest import STALE, WORKER_ENV, terminate_worker_connections, use_faults_db
from tests.faults.helpers import Q3, assert_each_once, board_story, delivery_states, request_and_send, retry

pytestmark = pytest.mark.faults


@pytest.fixture
def story(stack):
    return board_story(24)


def test_normal(stack, story):
    report = request_and_send(stack, story["admin"])
    stack.wait_for_report(report, "sent", "failed")
    assert report.state == "sent", report.error
    assert_each_once(stack.smtp, story["board"])
    assert delivery_states(report) == ["sent"]


def test_451_on_every_third_rcpt_and_connection_closed_before_datas_reply(stack, story):
    stack.smtp.refuse_every = 3
    stack.smtp.close_before_reply_every = 5
    report = request_and_send(stack, story["admin"])
    stack.wait_for_report(report, "sent", "failed")
    assert report.state == "sent", report.error
    assert_each_once(stack.smtp, story["board"])
    assert stack.smtp.rcpts > 24


def test_accepted_then_the_connection_dropped_resends_with_the_same_message_id(stack, story):
    stack.smtp.drop_every = 4
    report = request_and_send(stack, story["admin"])
    stack.wait_for_report(report, "sent", "failed")
    assert report.state == "sent", report.error
    # At least once at this point (docs/reports.md): the copies a lost reply made
    # resend carry the delivery's one Message-ID, so they are recognisably the same.
    seen = assert_each_once(stack.smtp, story["board"], resends_allowed=True)
    assert seen["duplicates"] >= 1
    delivery = report.deliveries.get(email=story["board"][0])
    assert seen["ids"][delivery.email][0] == f"<board-report-{report.pk}-{delivery.pk}@example.gov.uk>"


def test_smtp_down_briefly(stack, story):
    report = request_and_send(stack, story["admin"])
    stack.worker.smtp.stop()  # down before the first attempt; back within the retries
    time.sleep(4)
    stack.worker.smtp.start()
    stack.wait_for_report(report, "sent", "failed")
    assert report.state == "sent", report.error
    assert_each_once(stack.smtp, story["board"])


def test_smtp_down_longer_than_the_retry_budget_fails_then_retry_sends(stack, story):
    stack.worker.smtp.stop()
    report = request_and_send(stack, story["admin"])
    stack.wait_for_report(report, "failed", "sent")
    assert report.state == "failed"
    assert "Not delivered to member00@board.example.org" in report.error
    assert report.send_attempts == 5  # the first try and BOARD_REPORT_SEND_RETRIES=4 retries
    stack.worker.smtp.start()
    retry(stack, report, story["admin"])
    assert report.state == "sent", report.error
    assert_each_once(stack.smtp, story["board"])


def test_the_whole_worker_killed_mid_send_then_restarted(stack, story):
    stack.smtp.delay = 0.3
    report = request_and_send(stack, story["admin"])
    stack.wait(lambda: stack.smtp.count() >= 8, "8 messages")
    stack.worker.kill()
    stack.smtp.delay = 0
    stack.worker.start()
    # The sweeper expires the dead worker's claim and queues the send again (or
    # Redis hands the unacknowledged job back after the visibility timeout).
    stack.wait_for_report(report, "sent", "failed")
    if report.state == "failed":
        assert "may or may not have arrived" in report.error
        retry(stack, report, story["admin"])
    assert report.state == "sent", report.error
    assert_each_once(stack.smtp, story["board"], resends_allowed=True)


def test_only_the_pool_child_killed_mid_send(stack, story):
    stack.smtp.delay = 0.3
    report = request_and_send(stack, story["admin"])
    stack.wait(lambda: stack.smtp.count() >= 8, "8 messages")
    stack.worker.kill_children()
    stack.smtp.delay = 0
    stack.wait_for_report(report, "sent", "failed")
    if report.state == "failed":
        assert "may or may not have arrived" in report.error
        retry(stack, report, story["admin"])
    assert report.state == "sent", report.error
    assert stack.worker.alive()
    assert_each_once(stack.smtp, story["board"], resends_allowed=True)


@pytest.mark.parametrize("copies", [2, 8])
def test_send_report_queued_many_times_on_two_processes(stack, story, copies):
    from reporting import services, tasks

    report = services.report_request(quarter=Q3, user=story["admin"])
    stack.wait_for_report(report, "ready")
    services.report_send_request(report=report, user=story["admin"], confirmed=True)
    for _ in range(copies - 1):
        tasks.send_report.delay(report.pk)
    stack.wait_for_report(report, "sent", "failed")
    stack.wait_until_succeeded("reporting.tasks.send_report", copies)  # the other copies finish
    assert report.state == "sent", report.error
    assert_each_once(stack.smtp, story["board"])
    assert set(report.deliveries.values_list("attempts", flat=True)) == {1}


def test_the_schedule_run_four_times_at_once_makes_one_report(stack, story):
    import datetime

    from reminders.models import QuarterDeadline, ReportingCalendar
    from reporting import tasks
    from reporting.models import BoardReport

    # The board meets early this quarter: its report is due today, 16 January 2023.
    calendar = ReportingCalendar.objects.create(strategy=story["strategy"])
    QuarterDeadline.objects.create(
        calendar=calendar,
        period=Q3.code,
        due_on=datetime.date(2023, 1, 9),
        board_report_on=datetime.date(2023, 1, 16),
    )
    for _ in range(4):
        tasks.schedule_board_report.delay()
    stack.wait(lambda: BoardReport.objects.filter(state="sent").exists(), "a sent report", sweep=stack.sweep)
    stack.wait_until_succeeded("reporting.tasks.schedule_board_report", 4)
    assert BoardReport.objects.count() == 1
    report = BoardReport.objects.get()
    assert report.scheduled and report.state == "sent"
    assert_each_once(stack.smtp, story["board"])


def test_redis_restarted_losing_its_data_while_a_retry_waits(stack, story):
    stack.smtp.refuse_all = True
    report = request_and_send(stack, story["admin"])
    stack.wait(lambda: report.deliveries.filter(error__startswith="451").exists(), "a refused first try")
    stack.redis.stop()  # the waiting retry lives only in Redis: gone
    time.sleep(2)
    stack.redis.start()
    stack.smtp.refuse_all = False
    # The report's retry_at is overdue: the sweeper queues the send again.
    stack.wait_for_report(report, "sent", "failed")
    assert report.state == "sent", report.error
    assert_each_once(stack.smtp, story["board"])
    # Celery 5.7.0's worker exited here (it closed the connection before kombu restored its
    # unacknowledged messages); pyproject.toml pins 5.6.3, whose worker reconnects.
    assert stack.worker.alive(), stack.worker.log.read_text()[-4000:]


def test_broker_down_when_a_report_is_requested(stack, story, client):
    from reporting import services
    from reporting.models import BoardReport

    stack.redis.stop()
    client.force_login(story["admin"])
    response = client.post("/reports/request/", {"quarter": Q3.code})
    assert response.status_code == 302
    report = BoardReport.objects.get()
    assert report.state == "failed"
    assert "The job queue could not be reached, so nothing was built" in report.error
    stack.redis.start()
    services.report_retry(report=report, user=story["admin"])
    stack.wait_for_report(report, "ready", "failed")
    assert report.state == "ready", report.error


def test_postgresql_connections_terminated_mid_send(stack, story):
    stack.smtp.delay = 0.25
    report = request_and_send(stack, story["admin"])
    stack.wait(lambda: stack.smtp.count() >= 6, "6 messages")
    assert terminate_worker_connections(stack.db) >= 1
    stack.wait(lambda: stack.smtp.count() >= 14, "14 messages")
    terminate_worker_connections(stack.db)
    stack.smtp.delay = 0
    stack.wait_for_report(report, "sent", "failed")
    assert report.state == "sent", report.error
    assert_each_once(stack.smtp, story["board"])
    assert delivery_states(report) == ["sent"]


def test_a_recipient_whose_name_has_a_comma(stack):
    names = [f"Board Member {n:02d}" for n in range(24)] + ["Ellis, Margaret"]
    story = board_story(names=names)
    report = request_and_send(stack, story["admin"])
    stack.wait_for_report(report, "sent", "failed")
    assert report.state == "sent", report.error
    assert_each_once(stack.smtp, story["board"])
    (message,) = stack.smtp.to("member24@board.example.org")
    assert message["To"] == '"Ellis, Margaret" <member24@board.example.org>'


def test_one_recipient_refused_permanently_fails_alone_and_is_named(stack, story):
    bad = story["board"][5]
    stack.smtp.refuse_permanently = {bad}
    report = request_and_send(stack, story["admin"])
    stack.wait_for_report(report, "sent", "failed")
    assert report.state == "failed"
    assert report.error == f"Not delivered to {bad} (550 5.1.1 No such mailbox)"
    assert report.send_attempts == 1  # a 5xx is not retried
    assert not stack.smtp.to(bad)
    assert_each_once(stack.smtp, [a for a in story["board"] if a != bad])
    # The mailbox back, Retry sends that one copy alone.
    stack.smtp.refuse_permanently = set()
    retry(stack, report, story["admin"])
    assert report.state == "sent", report.error
    assert_each_once(stack.smtp, story["board"])


def test_a_report_stuck_sending_past_its_deadline_ends_failed_then_retry_sends(stack, story):
    """The worker gone for longer than BOARD_REPORT_SEND_DEADLINE_SECONDS while its retry waited."""
    from django.db.models import F
    from django.utils import timezone

    from reporting.models import BoardReport

    stack.smtp.refuse_all = True
    report = request_and_send(stack, story["admin"])

    def all_refused_and_waiting():
        report.refresh_from_db()
        pending = report.deliveries.filter(state="pending", error__startswith="451").count()
        return report.retry_at is not None and pending == len(story["board"])

    stack.wait(all_refused_and_waiting, "every delivery refused and a retry waiting")
    stack.worker.kill()
    late = timezone.timedelta(seconds=int(WORKER_ENV["BOARD_REPORT_SEND_DEADLINE_SECONDS"]) + 1)
    BoardReport.objects.filter(pk=report.pk).update(step_started_at=F("step_started_at") - late)
    stack.worker.start()
    stack.wait_for_report(report, "failed", "sent")
    assert report.state == "failed"
    assert "Still sending after 1 minutes: the job was lost or its worker stopped" in report.error
    assert delivery_states(report) == ["failed"] and stack.smtp.count() == 0
    stack.smtp.refuse_all = False
    retry(stack, report, story["admin"])
    assert report.state == "sent", report.error
    assert_each_once(stack.smtp, story["board"])


def test_a_build_killed_every_time_ends_failed_then_retry_builds(stack, story):
    from reporting import services
    from reporting.models import BoardReport

    report = services.report_request(quarter=Q3, user=story["admin"])
    kills = 0
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.state in ("failed", "ready"):
            break
        if report.state == "building" and report.build_attempts > kills:
            stack.worker.kill_children()  # as the out-of-memory killer would, each time
            kills += 1
        time.sleep(0.05)
    assert report.state == "failed", (report.state, kills)
    assert "never finished" in report.error and kills >= 3
    services.report_retry(report=report, user=story["admin"])
    stack.wait_for_report(report, "ready", "failed")
    assert report.state == "ready", report.error
    assert BoardReport.objects.count() == 1


def test_the_current_unfinished_quarter_is_refused_unless_confirmed_early(stack, story, client):
    from django.core.exceptions import ValidationError

    from actionplan.window import is_quarter_locked
    from reporting import services

    q4 = Q3.next()
    with pytest.raises(ValidationError, match="has not ended yet"):
        services.report_request(quarter=q4, user=story["admin"], send=True)
    report = services.report_request(quarter=q4, user=story["admin"])
    stack.wait_for_report(report, "ready")
    client.force_login(story["admin"])
    refused = client.post(f"/reports/{report.pk}/send/", {"confirm": "on"})
    assert refused.status_code == 200 and "has not ended yet" in refused.content.decode()
    assert not is_quarter_locked(q4) and stack.smtp.count() == 0
    confirmed = client.post(f"/reports/{report.pk}/send/", {"confirm": "on", "report_early": "on"})
    assert confirmed.status_code == 302
    stack.wait_for_report(report, "sent", "failed")
    assert report.state == "sent" and report.report_early
    assert is_quarter_locked(q4)
    assert_each_once(stack.smtp, story["board"])


def test_stale_claims_need_the_sweeper_not_a_send(stack, story):
    """A claim left by a dead sender ends failed within a sweep, not "sending" forever."""
    from django.utils import timezone

    from core import clock
    from reporting.models import Delivery

    report = request_and_send(stack, story["admin"])
    stack.wait_for_report(report, "sent")
    delivery = report.deliveries.first()
    # The portal's clock (PORTAL_TODAY in the worker too), not the machine's.
    Delivery.objects.filter(pk=delivery.pk).update(
        state="sending", claimed_at=clock.now() - timezone.timedelta(seconds=STALE + 1)
    )
    stack.wait(
        lambda: Delivery.objects.get(pk=delivery.pk).state == "failed", "the sweeper", sweep=stack.sweep
    )


def _post_updates(db, story, stop, results):
    """An officer posting Q3 updates as fast as the service takes them."""
    from django.db import connection

    use_faults_db(db)
    from actionplan import services as plan_services
    from actionplan.models import Action
    from actionplan.services import UpdateDraft

    action = Action.objects.get(pk=story["actions"]["1.2"].pk)
    try:
        while not stop.is_set():
            try:
                plan_services.update_create(
                    action=action,
                    author=action.lead_officer,
                    draft=UpdateDraft(
                        quarter=Q3,
                        status="in_progress",
                        rag="green",
                        percent_complete=60,
                        commentary=f"Posted during the send {time.monotonic_ns()}",
                    ),
                    check_version=False,
                )
                results["stored"] += 1
            except Exception as exc:  # noqa: BLE001 - refused once the quarter is locked
                results["refused"] += 1
                results["last"] = str(exc)
    finally:
        connection.close()


def test_updates_posted_during_the_send_the_board_pdf_equals_every_rebuild(stack, story):
    import hashlib

    from actionplan.models import ProgressUpdate, QuarterLock
    from reporting import services
    from reporting.pdf import render

    report = services.report_request(quarter=Q3, user=story["admin"])
    stack.wait_for_report(report, "ready")
    stop, results = threading.Event(), {"stored": 0, "refused": 0}
    args = (stack.db, story, stop, results)
    writers = [threading.Thread(target=_post_updates, args=args) for _ in range(3)]
    for writer in writers:
        writer.start()
    stack.wait(lambda: results["stored"] >= 3, "updates being posted")
    services.report_send_request(report=report, user=story["admin"], confirmed=True)
    stack.wait_for_report(report, "sent", "failed")
    stack.wait(lambda: results["refused"] >= 3, "updates refused: the quarter is locked")
    stop.set()
    for writer in writers:
        writer.join()
    assert report.state == "sent", report.error
    assert results["stored"] > 0 and results["refused"] > 0, results
    lock = QuarterLock.objects.get(period=Q3.code)
    assert not ProgressUpdate.objects.filter(period=Q3.code, created_at__gt=lock.locked_at).exists()
    (message,) = stack.smtp.to(story["board"][0])
    (pdf,) = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    sent = hashlib.sha256(pdf.get_payload(decode=True)).hexdigest()
    assert sent == report.sha256
    assert render(services.report_html(report)).sha256 == sent
