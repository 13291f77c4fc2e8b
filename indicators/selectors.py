"""Reads of indicators: the scorecard for a quarter, one indicator's history, the newest value.

The figures follow indicators.rules (the end-of-quarter rule, RAG, direction); this
module only loads the rows, in a fixed number of queries whatever the number of
indicators or years of values.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from core.quarters import Quarter
from indicators import periods, rules
from indicators.models import Indicator, IndicatorTarget, IndicatorValue
from indicators.periods import Period


def newest_value(indicator: Indicator) -> IndicatorValue | None:
    """The most recently recorded value of any period or partner: the version a form was loaded at."""
    return indicator.values.select_related("author").order_by("-id").first()


def targets_of(indicator: Indicator) -> list[IndicatorTarget]:
    return list(indicator.targets.all())


def strategy_indicators(strategy, *, theme=None, owner=None):
    queryset = Indicator.objects.filter(strategy=strategy).select_related("theme", "owner")
    if theme is not None:
        queryset = queryset.filter(theme=theme)
    if owner is not None:
        queryset = queryset.filter(owner=owner)
    return queryset.order_by("theme__number", "code", "pk")


# --- the scorecard --------------------------------------------------------------------


@dataclass
class Row:
    """One indicator on the scorecard at a quarter: its figure, RAG and direction of travel."""

    indicator: Indicator
    reading: rules.Reading | None
    target: rules.Target | None
    rag: str
    previous: rules.Reading | None
    year_earlier: rules.Reading | None
    vs_previous: rules.Direction
    vs_year_earlier: rules.Direction
    latest_value: IndicatorValue | None = None  # a red's counting value, with its commentary
    # A red's values the figure is made of (a monthly indicator's months), oldest first.
    made_of: list = field(default_factory=list)

    @property
    def rag_label(self) -> str:
        return rules.rag_label(self.rag)

    @property
    def commentary(self) -> str:
        """What the owner said about the figure: for a quarter made of months, each month's
        commentary under its month (a red quarter's cause may be in any of them)."""
        said = [(v.period.label, v.commentary) for v in self.made_of if v.commentary]
        if len(self.made_of) <= 1:
            return said[0][1] if said else ""
        return "\n".join(f"{label}: {text}" for label, text in said)

    @property
    def current(self) -> bool:
        """Whether the figure is for the scorecard's own period (not an earlier one carried)."""
        return self.reading is not None and self.reading.period == self._wanted

    _wanted: Period | None = None


@dataclass
class Scorecard:
    quarter: Quarter
    partner: object | None
    rows: list[Row]
    # Before the RAG filter: the counts that link to it.
    counts: dict[str, int] = field(default_factory=dict)
    by_theme: list[dict] = field(default_factory=list)
    improving: int = 0
    worsening: int = 0

    @property
    def reds(self) -> list[Row]:
        return [row for row in self.rows if row.rag == rules.RED]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def scorecard(
    *, strategy, quarter: Quarter, theme=None, partner=None, rag: str | None = None, owner=None
) -> Scorecard:
    """The strategy's indicators at the end of `quarter` (the end-of-quarter rule), for the whole
    service or, with `partner`, that council's own values (a per-partner indicator's; the rest
    are the shared service's). Filtered by theme, owner and RAG; counts before the RAG filter."""
    queryset = strategy_indicators(strategy, theme=theme, owner=owner)
    locked_at = _locked_at(quarter)
    if locked_at is not None:
        # A locked quarter's scorecard never changes: an indicator set up since is not in it.
        queryset = queryset.filter(created_at__lte=locked_at)
    rows = _rows(list(queryset), quarter, partner)
    counts = {key: 0 for key in rules.SCORECARD_ORDER}
    themes: dict[int, dict] = {}
    improving = worsening = 0
    for row in rows:
        counts[row.rag] += 1
        entry = themes.setdefault(
            row.indicator.theme_id,
            {"theme": row.indicator.theme, "counts": {key: 0 for key in rules.SCORECARD_ORDER}, "total": 0},
        )
        entry["counts"][row.rag] += 1
        entry["total"] += 1
        improving += row.vs_previous.key == rules.IMPROVING
        worsening += row.vs_previous.key == rules.WORSENING
    shown = [row for row in rows if rag is None or row.rag == rag]
    return Scorecard(
        quarter=quarter,
        partner=partner,
        rows=shown,
        counts=counts,
        by_theme=sorted(themes.values(), key=lambda t: t["theme"].number),
        improving=improving,
        worsening=worsening,
    )


# What rules.target_for reads of a target, without making a model instance for each.
_TARGET = ("indicator_id", "year", "quarter", "target", "tolerance", "tolerance_kind")


def _locked_at(quarter: Quarter):
    """When `quarter` was locked (by its own lock or a later quarter's), or None if it is open."""
    from actionplan.models import QuarterLock

    return (
        QuarterLock.objects.filter(period__gte=quarter.code)
        .order_by("period")
        .values_list("locked_at", flat=True)
        .first()
    )


def _rows(indicators: list[Indicator], quarter: Quarter, partner) -> list[Row]:
    if not indicators:
        return []
    ids = [i.pk for i in indicators]
    targets = defaultdict(list)
    # Every year up to the quarter's: a figure carried from an old period is judged on its own target.
    found = IndicatorTarget.objects.filter(indicator_id__in=ids, year__lte=quarter.year)
    for target in found.values_list(*_TARGET, named=True):
        targets[target.indicator_id].append(target)
    histories = _histories(indicators, quarter, partner)
    rows = []
    for indicator in indicators:
        rows.append(_row(indicator, histories.get(indicator.pk, {}), targets[indicator.pk], quarter))
    _attach_latest_values(rows)
    return rows


def _row(indicator: Indicator, latest: dict, targets: list, quarter: Quarter) -> Row:
    frequency, rule = indicator.frequency, indicator.roll_up
    reading = rules.reading_at(latest, frequency, rule, quarter)
    target = rules.target_for(targets, reading.period) if reading else None
    previous = year_earlier = None
    if reading is not None:
        before, year_before = rules.earlier_periods(reading.period)
        previous = rules.reading_for(latest, frequency, rule, before)
        year_earlier = rules.reading_for(latest, frequency, rule, year_before)
    actual = reading.actual if reading else None
    row = Row(
        indicator=indicator,
        reading=reading,
        target=target,
        rag=rules.rag_for(indicator, actual, target),
        previous=previous,
        year_earlier=year_earlier,
        vs_previous=_direction(indicator, actual, previous, target),
        vs_year_earlier=_direction(indicator, actual, year_earlier, target),
    )
    row._wanted = rules.scorecard_period(frequency, quarter)
    return row


def _direction(indicator, actual, earlier, target) -> rules.Direction:
    return rules.direction(
        now=actual,
        before=earlier.actual if earlier else None,
        polarity=indicator.polarity,
        target=target.target if target else None,
        activity=indicator.is_activity,
    )


@dataclass(frozen=True)
class _Light:
    """A value's figures without its commentary: what the rules read."""

    pk: int
    indicator_id: int
    partner_id: int | None
    period_end: datetime.date
    actual: object


_LIGHT = ("pk", "indicator_id", "partner_id", "period_end", "actual")
# How far back the scorecard reads, by frequency: a figure is recent when its period ends within
# RECENT of the quarter's end (the quarter itself or the one before, or the year before for an
# annual figure); its previous period and the same period a year earlier then fall within WINDOW.
_DAY = datetime.timedelta(days=1)
_RECENT = {periods.MONTHLY: 183 * _DAY, periods.QUARTERLY: 183 * _DAY, periods.ANNUAL: 732 * _DAY}
_WINDOW = {periods.MONTHLY: 650 * _DAY, periods.QUARTERLY: 650 * _DAY, periods.ANNUAL: 1470 * _DAY}


def _histories(indicators: list[Indicator], quarter: Quarter, partner) -> dict[int, dict]:
    """indicator id -> latest_per_period of the values the scorecard reads for it, in two
    queries: the recent window of each frequency for all, then the whole history of any
    indicator whose newest figure is older (the end-of-quarter rule still reads it)."""
    end = quarter.last_day
    own = {i.pk for i in indicators if partner is not None and i.per_partner}

    def light(queryset, chosen: list[Indicator]) -> list[_Light]:
        shared = [i.pk for i in chosen if i.pk not in own]
        mine = [i.pk for i in chosen if i.pk in own]
        whose = Q(indicator_id__in=shared, partner__isnull=True)
        if mine:
            whose |= Q(indicator_id__in=mine, partner=partner)
        # Sorted by the database (rules.VALUE_ORDER), so no time recorded need be read.
        rows = queryset.filter(whose, period_end__lte=end).order_by("indicator_id", *rules.VALUE_ORDER)
        return [_Light(*row) for row in rows.values_list(*_LIGHT)]

    by_frequency: dict[str, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        by_frequency[indicator.frequency].append(indicator)
    recent_q = Q()
    for frequency, chosen in by_frequency.items():
        recent_q |= Q(indicator_id__in=[i.pk for i in chosen], period_end__gt=end - _WINDOW[frequency])
    grouped: dict[int, list] = defaultdict(list)
    for value in light(IndicatorValue.objects.filter(recent_q), indicators):
        grouped[value.indicator_id].append(value)
    stale = [
        i
        for i in indicators
        if not any(v.period_end > end - _RECENT[i.frequency] for v in grouped.get(i.pk, ()))
    ]
    if stale:
        for indicator in stale:
            grouped.pop(indicator.pk, None)  # read again whole, in order
        for value in light(IndicatorValue.objects.filter(indicator_id__in=[i.pk for i in stale]), stale):
            grouped[value.indicator_id].append(value)
    return {pk: rules.latest_per_period(values, ordered=True) for pk, values in grouped.items()}


def _attach_latest_values(rows: list[Row]) -> None:
    """The red rows' values (the counting one and, for a monthly indicator, its quarter's other
    months) with their commentary and author, in one query: what the dashboard and the report
    quote. Other rows show only figures, which the light rows already have."""
    reds = [row for row in rows if row.rag == rules.RED]
    wanted = {value.pk for row in reds for value in row.reading.values}
    full = (
        IndicatorValue.objects.select_related("author", "partner", "indicator").in_bulk(wanted)
        if wanted
        else {}
    )
    for row in reds:
        row.made_of = [full[value.pk] for value in row.reading.values]
        row.latest_value = row.made_of[-1]


# --- one indicator ------------------------------------------------------------------------


@dataclass
class PeriodRow:
    """One period of an indicator's history: the value that counts, its target, RAG and
    direction, and every value recorded for it (corrections included)."""

    period: Period
    value: IndicatorValue
    target: rules.Target | None
    rag: str
    vs_previous: rules.Direction
    vs_year_earlier: rules.Direction
    recorded: list[IndicatorValue]

    @property
    def rag_label(self) -> str:
        return rules.rag_label(self.rag)

    @property
    def corrected(self) -> bool:
        return len(self.recorded) > 1


@dataclass
class History:
    indicator: Indicator
    partner: object | None
    periods: list[PeriodRow]  # oldest first
    targets: list[IndicatorTarget]

    @property
    def newest_first(self) -> list[PeriodRow]:
        return list(reversed(self.periods))


def indicator_history(indicator: Indicator, *, partner=None) -> History:
    """Every period's counting value of `indicator` (for `partner`, or the whole service), with
    its target, RAG and direction against the period before and a year earlier."""
    targets = targets_of(indicator)
    values = list(
        indicator.values.filter(partner=partner)
        .select_related("author", "partner")
        .order_by("period_end", "created_at", "id")
    )
    recorded: dict = defaultdict(list)
    for value in values:
        recorded[value.period_end].append(value)
    latest = rules.latest_per_period(values)
    rated = rules.rated_monthly(indicator)
    rows = []
    for end in sorted(latest):
        value = latest[end]
        period = Period.ending(end, indicator.frequency)
        target = rules.target_for(targets, period)
        before, year_before = (latest.get(p.end) for p in rules.earlier_periods(period))
        shown_target = target if rated else None
        rows.append(
            PeriodRow(
                period=period,
                value=value,
                target=target,
                rag=rules.rag_for(indicator, value.actual, shown_target) if rated else rules.NO_RAG,
                vs_previous=_direction(indicator, value.actual, before, target),
                vs_year_earlier=_direction(indicator, value.actual, year_before, target),
                recorded=list(reversed(recorded[end])),
            )
        )
    return History(indicator=indicator, partner=partner, periods=rows, targets=targets)


def quarter_readings(
    indicator: Indicator, quarters: Iterable[Quarter], *, partner=None
) -> list[rules.Reading]:
    """A monthly indicator's quarters as the scorecard shows them (for its page's table)."""
    values = list(indicator.values.filter(partner=partner))
    latest = rules.latest_per_period(values)
    readings = []
    for quarter in quarters:
        reading = rules.reading_for(
            latest, indicator.frequency, indicator.roll_up, Period.of_quarter(quarter)
        )
        if reading is not None:
            readings.append(reading)
    return readings


def due_periods(indicator: Indicator, *, today: datetime.date) -> list[Period]:
    """Periods of the strategy that have ended by `today` (the ones a value is owed for)."""
    strategy = indicator.strategy
    first = Period.ending(datetime.date(strategy.first_year, 4, 30), indicator.frequency)
    last_day = min(today, datetime.date(strategy.last_year + 1, 3, 31))
    ended = [
        p
        for p in periods.periods_between(first, Period.ending(last_day, indicator.frequency))
        if p.end < today
    ]
    return ended
