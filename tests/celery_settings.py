"""Celery settings changed in the test process (the e2e and fault suites' real worker)."""

from __future__ import annotations


def override(app, **values) -> dict:
    """Set Celery settings on `app`; returns what `app.conf.update(...)` takes to put them back.

    The app reads Django's settings with the CELERY_ prefix (ictstrategy/celery.py), and
    Celery 5.6 looks the prefixed name up before the plain one: setting only `broker_url`
    would leave CELERY_BROKER_URL in force. Both names are set.
    """
    saved = {}
    for key, value in values.items():
        for name in (key, f"CELERY_{key.upper()}"):
            saved[name] = app.conf.get(name)
            app.conf[name] = value
    return saved
