"""Sections other apps add to the board report (performance indicators, risks).

An app registers a function under a name from its AppConfig.ready(); the report's
content calls it with the strategy and quarter and keeps what it returns in
`ReportContent.sections[name]`, for the app's own template, which
templates/reporting/report.html includes. It must read only what a locked quarter
fixes, so that a rebuild of a locked quarter is identical.
"""

from __future__ import annotations

from collections.abc import Callable

Section = Callable[..., object]

SECTIONS: dict[str, Section] = {}


def register(name: str, section: Section) -> Section:
    SECTIONS[name] = section
    return section


def build_all(*, strategy, quarter) -> dict[str, object]:
    return {name: section(strategy=strategy, quarter=quarter) for name, section in SECTIONS.items()}
