"""Writes that must survive a lost database connection."""

from __future__ import annotations

import time

from django.db import InterfaceError, OperationalError, connection


def persist(write, *, tries: int = 5):
    """Run one autocommit write, reconnecting if the database connection was lost.

    A connection PostgreSQL terminated (a restart, a failover, an administrator)
    fails the next query; a fresh connection then works. For the writes that
    record what has already happened (an e-mail the server accepted), so the
    record is kept rather than left "sending". Inside a transaction there is
    nothing to reconnect to: the error is raised at once.
    """
    for attempt in range(tries):
        try:
            return write()
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block or attempt == tries - 1:
                raise
            connection.close()
            time.sleep(0.2 * 2**attempt)
