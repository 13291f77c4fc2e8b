"""The suite's settings: the portal's own, with debug asked for as `make run` does.

Set here because pytest-django reads the settings before any conftest is loaded. The
Celery workers, gunicorn and manage.py processes the tests start inherit DEBUG=true;
tests of production settings give DEBUG=false themselves.
"""

import os

os.environ.setdefault("DEBUG", "true")

from ictstrategy.settings import *  # noqa: E402, F403
