"""The answers of a form, a serializer or an import row, before a service's rules.

Each append-only history (progress updates, indicator values, risk reviews) has a frozen
dataclass of its answers that subclasses Draft; the page, the API and the import build it
the same way, so every caller's answers reach the one service alike.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Self


class Draft:
    """Base of a frozen dataclass of answers (see the module's docstring)."""

    @classmethod
    def from_values(cls, values: Mapping) -> Self:
        """A draft from cleaned values: other keys ignored, None in a text field as empty."""
        known = {}
        for f in dataclasses.fields(cls):
            if f.name in values:
                value = values[f.name]
                known[f.name] = f.default if value is None and isinstance(f.default, str) else value
        return cls(**known)
