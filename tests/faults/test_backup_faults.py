"""A backup taken while officers post updates (as `make load` does) restores and passes its own check."""

from __future__ import annotations

import threading
import time

import pytest

from tests.faults.helpers import Q3, board_story

pytestmark = pytest.mark.faults

# (lead, action) for each writer: everyone posts to an action they lead, as make load's officers do.
WRITERS = ["1.1", "2.2", "3.1", "6.1", "1.2", "6.2"]


def _officer(db, action_pk, stop, acknowledged, lock):
    """One officer posting the update form (seen_update_id, CSRF-free test client) as fast as it answers;
    one post in ten sent twice, as a double click would."""
    from django.db import connection
    from django.test import Client

    from tests.faults.conftest import use_faults_db

    use_faults_db(db)
    from actionplan.models import Action

    action = Action.objects.select_related("lead_officer").get(pk=action_pk)
    browser = Client()
    browser.force_login(action.lead_officer)
    seq = 0
    try:
        while not stop.is_set():
            action.refresh_from_db(fields=["latest_update"])
            seq += 1
            marker = f"backup-load-{action.reference}-{seq}"
            data = {
                "seen_update_id": action.latest_update_id or "",
                "quarter": Q3.code,
                "partner": "",
                "change": "changed",
                "no_change_reason": "",
                "status": "in_progress",
                "rag": "green",
                "percent_complete": str(seq % 99 + 1),
                "commentary": f"{marker} progress as planned; suppliers on track.",
                "next_steps": "Carry on.",
                "revised_due_date_0": "",
                "revised_due_date_1": "",
                "revised_due_date_2": "",
                "revision_reason": "",
            }
            posts = 2 if seq % 10 == 0 else 1
            answers = [browser.post(f"/actions/{action.pk}/update/", data).status_code for _ in range(posts)]
            if 302 in answers:
                with lock:
                    acknowledged.append((time.monotonic(), marker))
    finally:
        connection.close()


def test_backup_during_load_restores_and_passes_its_check(stack, tmp_path):
    from django.core.management import call_command

    from actionplan import derived
    from actionplan.models import ProgressUpdate

    story = board_story(4)
    stop, acknowledged, lock = threading.Event(), [], threading.Lock()
    pks = [story["actions"][ref].pk for ref in WRITERS]
    writers = [threading.Thread(target=_officer, args=(stack.db, pk, stop, acknowledged, lock)) for pk in pks]
    for writer in writers:
        writer.start()
    try:
        stack.wait(lambda: len(acknowledged) >= 30 or not all(w.is_alive() for w in writers), "30 updates")
        assert all(w.is_alive() for w in writers)
        started = time.monotonic()
        call_command("backup", output=tmp_path / "busy.tar.gz", verbosity=0)
        finished = time.monotonic()
        stack.wait(
            lambda: len([t for t, _ in acknowledged if t > finished]) >= 10, "10 updates after the backup"
        )
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    from core import backup

    manifest = backup.read_manifest(tmp_path / "busy.tar.gz")
    in_backup = manifest["row_counts"]["actionplan_progressupdate"]
    stored_before_restore = ProgressUpdate.objects.count()
    assert stored_before_restore > in_backup > 0

    # The restore command replaces the data and runs its own check (CommandError if any count differs).
    call_command("restore", tmp_path / "busy.tar.gz", no_input=True, verbosity=0)
    assert backup.verify(manifest) == []
    assert ProgressUpdate.objects.count() == in_backup
    markers = set(ProgressUpdate.objects.values_list("commentary", flat=True))
    markers = {text.split(" ", 1)[0] for text in markers}
    assert {m for t, m in acknowledged if t < started} <= markers  # nothing acknowledged before it is lost
    assert not {m for t, m in acknowledged if t > finished} & markers  # nothing after it is in it
    # One snapshot: the derived state restored is exactly what the restored updates derive to.
    restored = _derived_state()
    derived.refresh()
    assert _derived_state() == restored


def _derived_state():
    from actionplan.models import Action, ActionQuarterState

    rows = sorted(
        tuple(sorted((k, str(v)) for k, v in row.items() if k != "id"))
        for row in ActionQuarterState.objects.values()
    )
    return dict(Action.objects.values_list("pk", "latest_update_id")), rows
