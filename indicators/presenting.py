"""The indicators' places in other apps' pages: the dashboard's panel and the board report's
section (registered from IndicatorsConfig.ready). Both read the scorecard (indicators.selectors)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string

from core import clock
from core.quarters import Quarter
from indicators import charts, rules, selectors
from reporting.charts import Chart

PANEL_REDS = 10
PANEL_SECONDS = 6 * 3600


def _counts(card) -> list[tuple[str, str, int]]:
    return [(key, rules.RAG_LABELS[key], card.counts[key]) for key in rules.SCORECARD_ORDER]


def dashboard_panel(*, strategy, plan, quarter, partner, theme, request, **_) -> str:
    """Counts by RAG, improving and worsening, and the reds, at the dashboard's quarter (or the
    reporting quarter for the live picture), for its partner and theme."""
    shown = quarter or clock.reporting_quarter()
    version = _indicators_version()
    if version is None:
        return ""
    # Kept apart from the dashboard page's cache: an officer's update to an action changes the
    # page, not the indicators, so the panel is not worked out again for it.
    key = f"indicators-panel-v1:{version}:{strategy.pk}:{shown.code}:{getattr(partner, 'pk', 0)}:" + (
        f"{getattr(theme, 'pk', 0)}:{clock.today().isoformat()}"
    )
    html = cache.get(key)
    if html is None:
        html = _panel(strategy, shown, partner, theme, request)
        cache.set(key, html, timeout=PANEL_SECONDS)
    return html


def _indicators_version() -> str | None:
    """A fingerprint of what the panel reads (values, indicators, targets, locks), in one query;
    None when there are no indicators at all."""
    from actionplan.models import QuarterLock
    from indicators.models import Indicator, IndicatorTarget, IndicatorValue

    tables = [
        (Indicator._meta.db_table, "id"),
        (IndicatorValue._meta.db_table, "id"),
        (Indicator.history.model._meta.db_table, "history_id"),
        (IndicatorTarget.history.model._meta.db_table, "history_id"),
        (QuarterLock.history.model._meta.db_table, "history_id"),
    ]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT MAX({qn(c)}) FROM {qn(t)})" for t, c in tables))
        values = cursor.fetchone()
    if not values[0]:
        return None
    return "-".join(str(v or 0) for v in values)


def _panel(strategy, shown, partner, theme, request) -> str:
    card = selectors.scorecard(strategy=strategy, quarter=shown, partner=partner, theme=theme)
    if not card.total and not strategy.indicators.exists():
        return ""
    query = {"year": shown.year, "quarter": shown.number}
    if partner is not None:
        query["partner"] = partner.slug
    if theme is not None:
        query["theme"] = theme.pk
    links = [
        {
            "key": key,
            "label": label,
            "count": count,
            "url": "/indicators/?" + urlencode({**query, "rag": key}),
        }
        for key, label, count in _counts(card)
    ]
    return render_to_string(
        "indicators/_panel.html",
        {
            "card": card,
            "quarter": shown,
            "links": links,
            "reds": card.reds[:PANEL_REDS],
            "more_reds": max(0, len(card.reds) - PANEL_REDS),
            "all_url": "/indicators/?" + urlencode(query),
            "partner": partner,
        },
        request=request,
    )


@dataclass(frozen=True)
class ReportRow:
    """One indicator as the report prints it: its figures already in words (the report's
    template engine loads no other app's tags)."""

    row: object
    period: str
    target: str
    actual: str

    def __getattr__(self, name):
        return getattr(self.row, name)


def _report_row(row) -> ReportRow:
    fmt = row.indicator.format
    return ReportRow(
        row=row,
        period=row.reading.label if row.reading else "None yet",
        target=fmt(row.target.target) if row.target else "–",
        actual=fmt(row.reading.actual) if row.reading else "–",
    )


@dataclass(frozen=True)
class ReportSection:
    quarter: Quarter
    card: object
    counts: list
    themes: list  # [(theme, [rows])]
    reds: list  # [(row, Chart)]
    improving: list
    worsening: list

    @property
    def total(self) -> int:
        return self.card.total

    @property
    def counts_in_words(self) -> str:
        """ "1 red, 6 amber and 9 green, and 1 with no target (context only)"."""
        said = [
            f"{count} {label.lower()}" for key, label, count in self.counts if count and key in rules.RATINGS
        ]
        text = (
            ", ".join(said[:-1]) + (" and " if len(said) > 1 else "") + (said[-1] if said else "none rated")
        )
        unrated = dict((key, count) for key, _, count in self.counts)
        if unrated[rules.NO_RAG]:
            text += f"; {unrated[rules.NO_RAG]} with no target (context only)"
        if unrated[rules.NO_VALUE]:
            text += f"; {unrated[rules.NO_VALUE]} with no value yet"
        return text


def report_section(*, strategy, quarter: Quarter) -> ReportSection | None:
    """The board report's "Performance indicators": the scorecard by theme, the reds with their
    commentary and history, and the direction of travel. Reads only what a locked quarter fixes
    (values up to its end, its targets, the indicators set up by its lock)."""
    card = selectors.scorecard(strategy=strategy, quarter=quarter)
    if not card.rows:
        return None
    themes: dict = {}
    for row in card.rows:
        themes.setdefault(row.indicator.theme, []).append(_report_row(row))
    reds = []
    for n, row in enumerate(card.reds, start=1):
        history = selectors.indicator_history(row.indicator)
        points = [
            charts.Point(
                label=p.period.short_label,
                actual=p.value.actual,
                target=p.target.target if p.target else None,
                band=charts.tolerance_band(p.target.target, p.target.amber_limit, row.indicator.polarity)
                if p.target
                else None,
            )
            for p in history.periods
            if p.period.end <= quarter.last_day
        ][-12:]
        svg = charts.history_chart(
            points,
            chart_id=f"report-indicator-{n}",
            title=f"{row.indicator.code} {row.indicator.name}: the last {len(points)} values against target",
            fmt=row.indicator.format,
        )
        reds.append((_report_row(row), Chart(svg)))
    return ReportSection(
        quarter=quarter,
        card=card,
        counts=_counts(card),
        themes=sorted(themes.items(), key=lambda item: item[0].number),
        reds=reds,
        improving=[r for r in card.rows if r.vs_previous.key == rules.IMPROVING],
        worsening=[r for r in card.rows if r.vs_previous.key == rules.WORSENING],
    )


def email_summary(*, strategy, quarter: Quarter) -> str:
    """One sentence for the board e-mail: how the indicators stood at the quarter's end."""
    card = selectors.scorecard(strategy=strategy, quarter=quarter)
    if not card.rows:
        return ""
    c = card.counts
    rated = c[rules.RED] + c[rules.AMBER] + c[rules.GREEN]
    return (
        f"Of the {rated} performance indicator{'s' if rated != 1 else ''} with a target, {c[rules.GREEN]} "
        f"{'was' if c[rules.GREEN] == 1 else 'were'} green, {c[rules.AMBER]} amber and {c[rules.RED]} red; "
        f"{card.improving} improved and {card.worsening} worsened since the quarter before."
    )
