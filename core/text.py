"""Text as the portal stores it: no control characters but tab and line breaks.

Officers paste from Word and e-mail, where a manual line break is a vertical tab
(\\x0b); scripts can send anything. Spreadsheets (XML) and Word documents cannot hold
the C0 control characters at all, so one stored by an update made the
administrators' Excel export fail. Line and page breaks become line breaks; the
rest are dropped.
"""

import re

_BREAKS = re.compile(r"[\x0b\x0c\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def without_controls(text: str) -> str:
    """`text` with line-like controls as newlines and every other control character removed."""
    return _CONTROLS.sub("", _BREAKS.sub("\n", text))
