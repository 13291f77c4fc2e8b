"""Writes that must survive a lost database connection."""

from __future__ import annotations

import time

from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connection


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


def fresh_connection() -> None:
    """Drop a connection the database terminated: it fails every query until replaced.

    Inside a transaction (a task run eagerly within a request or a test) there is
    nothing to replace: closing it would end the caller's transaction.
    """
    if connection.in_atomic_block:
        return
    try:
        connection.close()
    except DatabaseError:
        pass


def close_stale_connections() -> None:
    """close_old_connections, as a worker does before each task; never inside a transaction
    (an eager task in a request or a test), whose connection it would close."""
    if not connection.in_atomic_block:
        close_old_connections()
