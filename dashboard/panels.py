"""Panels other apps add to the dashboard, below the actions' figures.

An app registers a function from its AppConfig.ready(); the dashboard calls each in
INSTALLED_APPS order with what the page shows (strategy, plan, quarter as at or None
for the current picture, partner, theme, request) and puts the HTML it returns on the
page ("" leaves nothing). The page is cached on actionplan.selectors.data_version(), so
an app whose rows a panel reads adds its tables to selectors.VERSIONED as well.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

Panel = Callable[..., str]

PANELS: list[Panel] = []


def register(panel: Panel) -> Panel:
    if panel not in PANELS:
        PANELS.append(panel)
    return panel


def render_all(**shown) -> list[SafeString]:
    # Each panel renders its own template, which escapes what it shows.
    return [mark_safe(html) for panel in PANELS if (html := panel(**shown))]  # noqa: S308
