"""A backup taken while the portal writes restores and passes its own check (issue 14)."""

from __future__ import annotations

import threading
import time

import pytest

pytestmark = pytest.mark.faults


def _write_rows(db, stop, written):
    """Audit-trailed rows added as fast as PostgreSQL takes them (each save adds a history row too)."""
    from django.db import connection

    from tests.faults.conftest import use_faults_db

    use_faults_db(db)
    from reporting.models import Recipient

    try:
        while not stop.is_set():
            Recipient.objects.create(name=f"Writer {written[0]}", email=f"w{written[0]}@example.org")
            written[0] += 1
    finally:
        connection.close()


def test_backup_during_writes_restores_and_passes_its_check(stack, tmp_path):
    from core import backup
    from reporting.models import Recipient

    stop, written = threading.Event(), [0]
    writer = threading.Thread(target=_write_rows, args=(stack.db, stop, written))
    writer.start()
    try:
        while written[0] < 50 and writer.is_alive():
            time.sleep(0.01)
        path, manifest = backup.create(tmp_path / "busy.tar.gz")
    finally:
        stop.set()
        writer.join()
    assert written[0] > manifest["row_counts"]["reporting_recipient"] > 0
    backup.restore(path)
    assert backup.verify(manifest) == []
    assert Recipient.objects.count() == manifest["row_counts"]["reporting_recipient"]
