"""The report's charts: the dashboard's SVGs (dashboard.charts), as images with alt text.

The PDF embeds each chart as an <img> so WeasyPrint tags it as a Figure whose
alternative text is the chart's own <title> and <desc>: the same figures in words.
Each chart is followed by a table of its figures in the report.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass

from dashboard import charts

_TITLE = re.compile(r"<title id=\"[^\"]+-title\">(.*?)</title>", re.S)
_DESC = re.compile(r"<desc id=\"[^\"]+-desc\">(.*?)</desc>", re.S)


@dataclass(frozen=True)
class Chart:
    svg: str

    @property
    def alt(self) -> str:
        title, desc = _TITLE.search(self.svg), _DESC.search(self.svg)
        return html.unescape(f"{title[1] if title else ''}. {desc[1] if desc else ''}").strip(". ")

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def rag_bars(tally, *, title: str) -> Chart:
    return Chart(charts.rag_bars(tally.rag, chart_id="report-rag", title=title))


def theme_rows(sections, *, title: str) -> Chart:
    rows = [(f"Theme {s.theme.number}", s.summary.rag) for s in sections]
    return Chart(charts.rag_rows(rows, chart_id="report-themes", title=title))


def trend(points, *, title: str) -> Chart:
    return Chart(
        charts.rag_trend([(p.quarter.label, p.rag) for p in points], chart_id="report-trend", title=title)
    )
