"""The broker settings the fault suite relies on (docs/reports.md, "Faults")."""

from reporting import services


def test_the_visibility_timeout_fits_the_longest_wait_and_comes_back_before_the_send_deadline(settings):
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    # A worker holds a retry for its countdown (capped): Redis must not hand it out again meanwhile.
    assert visibility > services.retry_delay(100) == 3600
    # A killed worker's job comes back (and finishes) well before the sweeper gives up on the send.
    assert visibility < settings.BOARD_REPORT_SEND_DEADLINE_SECONDS / 2


def test_the_worker_keeps_reconnecting_to_the_broker_and_acknowledges_late(settings):
    assert settings.CELERY_BROKER_CONNECTION_RETRY is True
    assert settings.CELERY_BROKER_CONNECTION_MAX_RETRIES is None
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["socket_timeout"] and options["health_check_interval"]
