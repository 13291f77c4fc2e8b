"""The rules of an indicator's figures: one home that pages, the API, the import, the
dashboard panel, the board report, the reminders and the tests call.

- RAG (rag): calculated from the target, its amber tolerance and the polarity, never
  typed. Green on or better than the target; amber worse than the target but within
  the tolerance (its edge included); red beyond. For "on target is best", green is
  exactly on the target, amber within the tolerance either side, red beyond. Activity
  indicators have no target and no RAG. The ratings' names, labels and order of
  severity are actionplan.rules'.
- Which target applies (target_for): the quarter's own target where the target
  changes during the year, else the financial year's.
- Direction of travel (direction): a figure against an earlier one, improving, no
  change or worsening by the polarity (for "on target is best", nearer the target is
  better); an activity indicator's only goes up or down. Words and an arrow.
- The end-of-quarter rule (reading_at, reading_for): the latest value recorded for a
  period at or before the quarter's end; for a monthly indicator, the months of that
  quarter rolled up by its rule (last, sum or average). Latest by period, then time
  recorded, then id, as for progress updates (actionplan.rules.STATE_ORDER).

Nothing here reads the database: indicators.selectors loads the rows and calls these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from actionplan import rules as action_rules
from core.quarters import Quarter
from indicators import periods
from indicators.periods import Period

GREEN, AMBER, RED = action_rules.Rag.GREEN.value, action_rules.Rag.AMBER.value, action_rules.Rag.RED.value
RATINGS = (RED, AMBER, GREEN)
NO_RAG = "no_rag"  # an activity indicator, or no target for the period
NO_VALUE = action_rules.NOT_REPORTED  # nothing recorded yet
RAG_LABELS = {
    RED: "Red",
    AMBER: "Amber",
    GREEN: "Green",
    NO_RAG: "No target (context only)",
    NO_VALUE: "No value yet",
}
# The scorecard's order: what needs attention first, then context, then the silent.
SCORECARD_ORDER = (RED, AMBER, GREEN, NO_RAG, NO_VALUE)

HIGHER, LOWER, ON_TARGET = "higher", "lower", "on_target"
LAST, SUM, AVERAGE = "last", "sum", "average"
ABSOLUTE, SHARE = "absolute", "share"

CENT = Decimal("0.01")


def rag_label(rag: str) -> str:
    return RAG_LABELS[rag]


# --- RAG -----------------------------------------------------------------------


def tolerance_amount(target: Decimal, tolerance: Decimal, kind: str) -> Decimal:
    """The tolerance in the indicator's unit: as given, or that share (%) of the target."""
    if kind == SHARE:
        return (abs(Decimal(target)) * Decimal(tolerance) / 100).quantize(CENT, ROUND_HALF_UP)
    return Decimal(tolerance)


def rag(*, actual: Decimal, target: Decimal, tolerance: Decimal, polarity: str) -> str:
    """GREEN, AMBER or RED for `actual` against `target`, `tolerance` (in the unit) and `polarity`."""
    actual, target, tolerance = Decimal(actual), Decimal(target), Decimal(tolerance)
    if polarity == HIGHER:
        shortfall = target - actual
    elif polarity == LOWER:
        shortfall = actual - target
    elif polarity == ON_TARGET:
        shortfall = abs(actual - target)
        if shortfall == 0:
            return GREEN
        return AMBER if shortfall <= tolerance else RED
    else:
        raise ValueError(f"Unknown polarity {polarity!r}")
    if shortfall <= 0:
        return GREEN
    return AMBER if shortfall <= tolerance else RED


@dataclass(frozen=True)
class Target:
    """A target as the rules need it (an IndicatorTarget, or a test's)."""

    year: int
    quarter: int | None
    target: Decimal
    tolerance: Decimal = Decimal(0)
    tolerance_kind: str = ABSOLUTE

    @property
    def amber_limit(self) -> Decimal:
        return tolerance_amount(self.target, self.tolerance, self.tolerance_kind)

    @classmethod
    def of(cls, row) -> Target:
        return cls(row.year, row.quarter, row.target, row.tolerance, row.tolerance_kind)


def target_for(targets: Iterable, period: Period) -> Target | None:
    """The target for `period`: its quarter's own (where the target changes during the year),
    else its financial year's. An annual period takes the year's. None: no target set."""
    quarter = period.quarter
    year_target = None
    for row in targets:
        if row.year != quarter.year:
            continue
        if row.quarter is None:
            year_target = row
        elif row.quarter == quarter.number and period.frequency != periods.ANNUAL:
            return Target.of(row)
    return Target.of(year_target) if year_target is not None else None


def rag_for(indicator, actual: Decimal | None, target: Target | None) -> str:
    """The RAG of one figure of `indicator` (NO_VALUE, NO_RAG or a rating)."""
    if actual is None:
        return NO_VALUE
    if indicator.is_activity or target is None:
        return NO_RAG
    return rag(actual=actual, target=target.target, tolerance=target.amber_limit, polarity=indicator.polarity)


def rated_monthly(indicator) -> bool:
    """Whether each month's value has a RAG of its own: not when months are summed (the
    target is then the quarter's total)."""
    return not indicator.is_activity and not (
        indicator.frequency == periods.MONTHLY and indicator.roll_up == SUM
    )


# --- direction of travel ---------------------------------------------------------

IMPROVING, NO_CHANGE, WORSENING, UP, DOWN, NOT_COMPARED = (
    "improving",
    "no_change",
    "worsening",
    "up",
    "down",
    "not_compared",
)


@dataclass(frozen=True)
class Direction:
    key: str
    words: str
    arrow: str  # shown beside the words, never instead of them

    @property
    def compared(self) -> bool:
        return self.key != NOT_COMPARED


DIRECTIONS = {
    IMPROVING: Direction(IMPROVING, "Improving", "↑"),
    NO_CHANGE: Direction(NO_CHANGE, "No change", "→"),
    WORSENING: Direction(WORSENING, "Worsening", "↓"),
    UP: Direction(UP, "Up", "↑"),
    DOWN: Direction(DOWN, "Down", "↓"),
    NOT_COMPARED: Direction(NOT_COMPARED, "No earlier figure", ""),
}


def direction(
    *,
    now: Decimal | None,
    before: Decimal | None,
    polarity: str,
    target: Decimal | None = None,
    activity: bool = False,
) -> Direction:
    """`now` against `before`: improving, no change or worsening by `polarity`.

    For "on target is best", nearer `target` (the current period's) is better; with no
    target it cannot be judged, so it says up or down, as for an activity indicator
    (context only: it moves, it does not improve).
    """
    if now is None or before is None:
        return DIRECTIONS[NOT_COMPARED]
    now, before = Decimal(now), Decimal(before)
    if now == before:
        return DIRECTIONS[NO_CHANGE]
    if activity or (polarity == ON_TARGET and target is None):
        return DIRECTIONS[UP if now > before else DOWN]
    if polarity == HIGHER:
        better = now > before
    elif polarity == LOWER:
        better = now < before
    else:
        distance_now, distance_before = abs(now - Decimal(target)), abs(before - Decimal(target))
        if distance_now == distance_before:
            return DIRECTIONS[NO_CHANGE]
        better = distance_now < distance_before
    return DIRECTIONS[IMPROVING if better else WORSENING]


# --- the end-of-quarter rule ------------------------------------------------------


def value_key(value) -> tuple:
    """The order values count in: latest period, then latest recorded, then id."""
    return (value.period_end, value.created_at, value.pk)


# The same order as a query's order_by, oldest first: the last value of a period counts.
VALUE_ORDER = ("period_end", "created_at", "id")


def latest_per_period(history: Iterable, *, ordered: bool = False) -> dict:
    """period_end -> the value that counts for it (the latest recorded: a correction
    replaces what it corrects). With `ordered`, `history` is already in VALUE_ORDER (a query
    sorted it), and the values need no created_at."""
    latest: dict = {}
    if ordered:
        for value in history:
            latest[value.period_end] = value
        return latest
    for value in history:
        kept = latest.get(value.period_end)
        if kept is None or value_key(value) > value_key(kept):
            latest[value.period_end] = value
    return latest


@dataclass(frozen=True)
class Reading:
    """An indicator's figure for one scorecard period (a quarter, or a financial year for an
    annual indicator): the value, or the months rolled up, it comes from."""

    period: Period
    actual: Decimal
    values: tuple = field(default=(), compare=False)  # the values it is made of, oldest first
    expected: int = 1  # how many periods make it (3 months for a monthly indicator)

    @property
    def complete(self) -> bool:
        return len(self.values) >= self.expected

    @property
    def latest(self):
        return self.values[-1] if self.values else None

    @property
    def label(self) -> str:
        if self.complete:
            return self.period.label
        return f"{self.period.label} ({len(self.values)} of {self.expected} months)"


def scorecard_period(frequency: str, quarter: Quarter) -> Period:
    """The period a scorecard at `quarter` shows for an indicator of `frequency`: the quarter
    itself (monthly indicators roll up into it), or the financial year for an annual one."""
    if frequency == periods.ANNUAL:
        return Period.of_year(quarter.year)
    return Period.of_quarter(quarter)


def roll_up(values: Sequence, rule: str) -> Decimal:
    """A monthly indicator's months (oldest first) as one quarter's figure."""
    actuals = [Decimal(v.actual) for v in values]
    if rule == SUM:
        return sum(actuals, Decimal(0))
    if rule == AVERAGE:
        return (sum(actuals, Decimal(0)) / len(actuals)).quantize(CENT, ROUND_HALF_UP)
    return actuals[-1]


def reading_for(latest: dict, frequency: str, rule: str, period: Period) -> Reading | None:
    """The figure for exactly scorecard period `period` (None when nothing was recorded for it).
    `latest` is latest_per_period of one indicator's (and one partner's) values."""
    if frequency == periods.MONTHLY:
        months = periods.periods_in(period.quarter, periods.MONTHLY)
        values = tuple(latest[m.end] for m in months if m.end in latest)
        if not values:
            return None
        return Reading(period, roll_up(values, rule), values, expected=len(months))
    value = latest.get(period.end)
    return Reading(period, Decimal(value.actual), (value,)) if value is not None else None


def reading_at(latest: dict, frequency: str, rule: str, quarter: Quarter) -> Reading | None:
    """The end-of-quarter rule: the figure at the end of `quarter`, from the latest period at
    or before the quarter's end that has a value (so a quarter with nothing new shows the
    last figure, labelled with its own period). None when nothing was recorded by then."""
    ends = [end for end in latest if end <= quarter.last_day]
    if not ends:
        return None
    newest = Period.ending(max(ends), frequency)
    period = newest if frequency != periods.MONTHLY else Period.of_quarter(newest.quarter)
    return reading_for(latest, frequency, rule, period)


def earlier_periods(period: Period) -> tuple[Period, Period]:
    """What a figure's direction is judged against: the period before, and the same period a
    year earlier (for an annual figure, both are the year before)."""
    return period.previous(), period.year_earlier()
