import json
import logging

import pytest

from core.security_log import JSONFormatter


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.setFormatter(JSONFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))

    @property
    def events(self) -> list[dict]:
        return [json.loads(line) for line in self.lines]


@pytest.fixture
def security_log():
    """What the `security` logger wrote, as the JSON lines a log collector would get."""
    handler = _Lines()
    logger = logging.getLogger("security")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
