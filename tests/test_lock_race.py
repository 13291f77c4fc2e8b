"""Locking a quarter while an update for it is being saved, on two real PostgreSQL connections.

"A locked quarter always rebuilds exactly" needs every update for a quarter either in
before its lock or refused after it. services.update_create checks the locks and stores
the update under a shared guard that services.quarter_lock takes exclusively, so the
two are serialised whichever starts first.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from actionplan import selectors, services
from actionplan.models import ProgressUpdate, QuarterLock
from core.quarters import Quarter

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

Q3 = Quarter(2022, 3)
WAIT = 10  # seconds: far longer than either side needs, so a failure is a hang, not a flake


def _draft():
    return services.UpdateDraft(quarter=Q3, status="in_progress", rag="green", percent_complete=40)


def _in_thread(target):
    """Run `target` on its own database connection; returns (thread, outcome dict)."""
    outcome = {}

    def run():
        try:
            outcome["result"] = target()
        except Exception as error:  # noqa: BLE001 - handed to the test to assert on
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_an_update_saved_while_the_quarter_is_being_locked_is_refused(action, officer, administrator):
    assert connection.vendor == "postgresql"
    locked, release = threading.Event(), threading.Event()

    def lock_and_hold():
        # The lock is written and its transaction held open, as a slow board send would.
        with transaction.atomic():
            services.quarter_lock(quarter=Q3, user=administrator, reason="Reported to the board")
            locked.set()
            assert release.wait(WAIT)

    locker, lock_outcome = _in_thread(lock_and_hold)
    assert locked.wait(WAIT)
    updater, update_outcome = _in_thread(
        lambda: services.update_create(action=action, author=officer, draft=_draft())
    )
    # The update waits for the lock's transaction rather than reading the locks without it.
    updater.join(timeout=1)
    assert updater.is_alive(), "the update did not wait for the quarter being locked"
    release.set()
    locker.join(WAIT)
    updater.join(WAIT)
    assert "error" not in lock_outcome
    error = update_outcome.get("error")
    assert isinstance(error, ValidationError), update_outcome
    assert "locked because it has been reported" in " ".join(error.message_dict["quarter"])
    assert not ProgressUpdate.objects.filter(action=action).exists()


def test_a_lock_waits_for_an_update_already_being_saved(action, officer, administrator, monkeypatch):
    """The other order: an update past its checks is stored before the lock is taken."""
    checked, release = threading.Event(), threading.Event()
    newest = selectors.newest_update

    def slow_newest(a):
        # Called by update_create after its rule checks, inside its transaction.
        checked.set()
        assert release.wait(WAIT)
        return newest(a)

    monkeypatch.setattr(selectors, "newest_update", slow_newest)
    updater, update_outcome = _in_thread(
        lambda: services.update_create(action=action, author=officer, draft=_draft())
    )
    assert checked.wait(WAIT)
    locker, lock_outcome = _in_thread(lambda: services.quarter_lock(quarter=Q3, user=administrator))
    locker.join(timeout=1)
    assert locker.is_alive(), "the lock did not wait for the update being saved"
    release.set()
    updater.join(WAIT)
    locker.join(WAIT)
    assert "error" not in update_outcome and "error" not in lock_outcome, (update_outcome, lock_outcome)
    update = ProgressUpdate.objects.get(action=action)
    assert update.period == Q3.code
    assert QuarterLock.objects.filter(period=Q3.code).exists()
