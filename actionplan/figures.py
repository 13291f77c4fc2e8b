"""Figures: the roll-ups of action state that the dashboard and the board report show.

One module so the committee's screen and the board's PDF can never disagree.

    summary(plan, quarter=None, partner=None, theme=None) -> Rollup

`quarter=None` is the live picture (each action's latest update, overdue against
today); a quarter gives the picture at that quarter's end through the
end-of-quarter rule in actionplan.selectors, which is the only place that rule
lives. Both are read from ActionQuarterState, where the rule's answer is stored
with the figures for every action and quarter of its plan year
(selectors.quarter_states; a quarter after the plan's year shows its end).
With a partner, every figure uses that partner's states (its latest partner
update, or the overall one when it has none) and counts only the actions serving
it. Counts are aggregated in SQL with a fixed number of queries whatever the number
of actions, and no join to the updates; only the lists (overdue, slippage,
changes) are fetched row by row, and `list_limit` caps those for the screen while
their counts stay exact.

Rules (also on the page and in docs/dashboard.md):
- An action with no update is "Not started" and "Not yet reported".
- % complete is averaged over actions still being delivered or done: cancelled and
  deferred actions (rules.EXCLUDED_STATUSES) are left out; not started counts 0.
- Overdue is rules.is_overdue: not completed, cancelled or deferred, and its
  due date (the state's revised date, else the original) before today, or before
  the quarter's last day as at a quarter.
- Changes compare each action's state with its state at the end of the previous
  quarter (for the live picture: the quarter before the one being reported on).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import operator
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from actionplan import rules, selectors, window
from actionplan.models import ActionPlan, ActionQuarterState, ProgressUpdate, by_reference, reference_sort_key
from core import clock
from core.quarters import Quarter
from themes.models import PartnerAuthority, Theme

Status = ProgressUpdate.Status
Rag = ProgressUpdate.Rag


@dataclass
class Tally:
    """How many actions stand where: by status, by RAG, overdue, average % complete."""

    total: int = 0
    status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(rules.STATUS_KEYS, 0))
    rag: dict[str, int] = field(default_factory=lambda: dict.fromkeys(rules.RAG_KEYS, 0))
    overdue: int = 0
    slipped: int = 0
    percent_sum: int = 0
    percent_counted: int = 0
    # Whole actions whose councils' states differ (counted at the worst of them).
    differing: int = 0

    @property
    def average_percent(self) -> float | None:
        """Mean % complete of the actions not cancelled or deferred (None if there are none)."""
        return self.percent_sum / self.percent_counted if self.percent_counted else None

    def rag_share(self, key: str) -> float:
        return self.rag[key] / self.total if self.total else 0.0

    def add(self, other: Tally) -> None:
        self.total += other.total
        self.overdue += other.overdue
        self.slipped += other.slipped
        self.differing += other.differing
        self.percent_sum += other.percent_sum
        self.percent_counted += other.percent_counted
        for key, n in other.status.items():
            self.status[key] += n
        for key, n in other.rag.items():
            self.rag[key] += n

    @property
    def status_rows(self) -> list[tuple[str, str, int]]:
        return [(key, rules.STATUS_LABELS[key], self.status[key]) for key in rules.STATUS_KEYS]

    @property
    def rag_rows(self) -> list[tuple[str, str, int]]:
        return [(key, rules.RAG_LABELS[key], self.rag[key]) for key in rules.RAG_KEYS]


@dataclass
class ThemeTally:
    theme_id: int
    number: int
    title: str
    tally: Tally


@dataclass
class PartnerTally:
    partner_id: int
    slug: str
    short_name: str
    name: str
    tally: Tally


@dataclass(frozen=True)
class ActionLine:
    """One action in a list (overdue, slippage, changes), as it stood."""

    action_id: int
    reference: str
    title: str
    theme_number: int
    status: str
    rag: str
    percent_complete: int
    original_due_date: datetime.date
    due_date: datetime.date
    revision_reason: str = ""
    previous_status: str | None = None
    previous_rag: str | None = None
    slip_days: int = 0
    partners_differ: bool = False
    # Where only some of the councils served make this figure: their short names (council_notes).
    councils: str = ""

    @property
    def url(self) -> str:
        return f"/actions/{self.action_id}/"

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS[self.status]

    @property
    def rag_label(self) -> str:
        return rules.RAG_LABELS[self.rag]

    @property
    def previous_rag_label(self) -> str:
        return rules.RAG_LABELS[self.previous_rag] if self.previous_rag else ""

    @property
    def previous_status_label(self) -> str:
        return rules.STATUS_LABELS[self.previous_status] if self.previous_status else ""

    @property
    def slipped_days(self) -> int:
        return self.slip_days

    @property
    def revised_due_date(self) -> datetime.date:
        """The due date it slipped to (at the council that slipped most, where they differ)."""
        return self.original_due_date + datetime.timedelta(days=self.slip_days)


CHANGE_KINDS = ("worsened", "improved", "completed", "added")
CHANGE_LABELS = {
    "worsened": "RAG worsened",
    "improved": "RAG improved",
    "completed": "Completed",
    "added": "Reported for the first time",
}


@dataclass
class Changes:
    """What moved between the end of `since` and the picture shown."""

    since: Quarter
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANGE_KINDS, 0))
    lines: dict[str, list[ActionLine]] = field(default_factory=lambda: {k: [] for k in CHANGE_KINDS})

    @property
    def rows(self) -> list[tuple[str, str, int, list[ActionLine]]]:
        return [(k, CHANGE_LABELS[k], self.counts[k], self.lines[k]) for k in CHANGE_KINDS]


@dataclass(frozen=True)
class TrendPoint:
    """RAG counts of the quarter's own plan at the end of the quarter."""

    quarter: Quarter
    total: int
    rag: dict[str, int]

    def share(self, key: str) -> float:
        return self.rag[key] / self.total if self.total else 0.0


@dataclass(frozen=True)
class MissedReturns:
    """The actions whose owed update for a locked quarter never came (selectors.Return.MISSED)."""

    quarter: Quarter
    count: int
    lines: list[ActionLine]


@dataclass
class Rollup:
    plan: ActionPlan
    quarter: Quarter | None  # None: live
    as_of: datetime.date
    partner: PartnerAuthority | None
    theme: Theme | None
    totals: Tally
    themes: list[ThemeTally]
    partners: list[PartnerTally]
    overdue: list[ActionLine]
    slippage: list[ActionLine]
    changes: Changes
    trend: list[TrendPoint]
    list_limit: int | None = None
    missed: list[MissedReturns] = field(default_factory=list)

    @property
    def differing(self) -> int:
        """Whole actions counted at their worst council's state (none under a council filter)."""
        return 0 if self.partner is not None else self.totals.differing

    @property
    def overdue_label(self) -> str:
        """Which of overdue's two views the figures are (rules.is_overdue's `as_of`)."""
        return "overdue today" if self.is_live else f"overdue at the end of {self.quarter.label}"

    @property
    def is_live(self) -> bool:
        return self.quarter is None

    @property
    def shown_quarter(self) -> Quarter:
        """The quarter the picture belongs to (the current one when live)."""
        return self.quarter or Quarter.containing(self.as_of)

    @property
    def picture_label(self) -> str:
        if self.is_live:
            return f"latest updates at {self.as_of:%-d %B %Y}"
        return f"as at the end of {self.quarter.label} ({self.as_of:%-d %B %Y})"


# --- the computation ---------------------------------------------------------


def summary(
    plan: ActionPlan,
    quarter: Quarter | None = None,
    partner: PartnerAuthority | None = None,
    theme: Theme | None = None,
    *,
    list_limit: int | None = None,
    version: DataVersion | None = None,
) -> Rollup:
    """Every figure of one plan's picture. See the module docstring for the rules.

    Each figure is one query on ActionQuarterState (selectors.quarter_states),
    whatever the number of actions. With a `version` (from data_version()), trend
    points of locked quarters are reused from the cache: a locked quarter's
    picture only changes when actions, themes or partners are edited.
    """
    as_of = quarter.last_day if quarter else clock.today()
    rows = selectors.quarter_states(plan, quarter=quarter, partner=partner, theme=theme)
    by_theme = _tallies(rows, "theme_id", as_of)
    themes = [
        ThemeTally(t.pk, t.number, t.title, by_theme.get(t.pk, Tally()))
        for t in Theme.objects.filter(strategy_id=plan.strategy_id).order_by("number")
        if theme is None or t.pk == theme.pk
    ]
    totals = Tally()
    for row in themes:
        totals.add(row.tally)
    overdue = _overdue_lines(rows, as_of=as_of, limit=list_limit)
    slippage = _slippage_lines(rows, limit=list_limit)
    changes = _changes(plan, rows, quarter=quarter, partner=partner, theme=theme, limit=list_limit)
    if partner is None:
        period = selectors.picture_period(plan, quarter)
        overdue = with_councils(overdue, "overdue", period=period, as_of=as_of)
        slippage = with_councils(slippage, "slipped", period=period, as_of=as_of)
        for kind in CHANGE_KINDS:
            changes.lines[kind] = with_councils(changes.lines[kind], "rag", period=period, as_of=as_of)
    return Rollup(
        plan=plan,
        quarter=quarter,
        as_of=as_of,
        partner=partner,
        theme=theme,
        totals=totals,
        themes=themes,
        partners=_partner_tallies(plan, quarter=quarter, partner=partner, theme=theme, as_of=as_of),
        overdue=overdue,
        slippage=slippage,
        changes=changes,
        trend=trend(plan.strategy, upto=quarter, partner=partner, theme=theme, version=version),
        list_limit=list_limit,
        missed=missed_returns(plan, quarter=quarter, partner=partner, theme=theme, limit=list_limit),
    )


def missed_returns(plan, *, quarter=None, partner=None, theme=None, limit=None) -> list[MissedReturns]:
    """The plan's quarters up to `quarter` (None: now) locked without an owed update, with
    the actions that missed it (rules.owes_update_q, not rules.received_q), each at its
    state at that quarter's end: carried from its last update, for an earlier quarter.

    One query for the counts, and one per quarter with misses for its lines.
    """
    locked = window.locked_up_to()
    quarters = [
        q for q in plan.quarters if locked is not None and q <= locked and (quarter is None or q <= quarter)
    ]
    if not quarters:
        return []
    owing = functools.reduce(operator.or_, (rules.owes_update_q(q) for q in quarters))
    rows = ActionQuarterState.objects.filter(owing, plan=plan).exclude(rules.received_q())
    if theme is not None:
        rows = rows.filter(theme=theme)
    if partner is not None:
        rows = rows.filter(action__partners=partner)
    counts = dict(rows.values_list("period").annotate(n=Count("action")).order_by())
    return [
        MissedReturns(
            q,
            counts[q.code],
            _lines(rows.filter(period=q.code).order_by("theme_number", *by_reference()), limit),
        )
        for q in quarters
        if counts.get(q.code)
    ]


# --- which councils make a whole action's figure ----------------------------------

NOTE_KINDS = ("rag", "overdue", "slipped")


def council_notes(items, *, period: int, as_of: datetime.date) -> dict[int, dict[str, object]]:
    """Where a whole action's figure comes from only some of its councils, name them.

    `items` are (action_id, status, rag, due_date, slip_days) of whole-action states
    (rules.roll_up of the councils) at `period`; only those whose councils differ
    need passing. Returns action_id -> {kind: "SBC and TWBC"} for each NOTE_KINDS
    figure that not every council shares: its RAG rating, being overdue on `as_of`,
    and its slippage; with "slipped_reason" (the slipped council's reason) and
    "rag_update" (the first such council's own update, whose commentary explains the
    rating). One query whatever the number of actions.
    """
    items = list(items)
    if not items:
        return {}
    councils: dict[int, list] = {}
    rows = (
        ActionQuarterState.objects.filter(
            action_id__in=[i[0] for i in items], period=period, partner__isnull=False
        )
        .select_related("partner", "update__partner", "update__author")
        .order_by("partner__short_name")
    )
    for row in rows:
        councils.setdefault(row.action_id, []).append(row)
    notes: dict[int, dict[str, object]] = {}
    for action_id, status, rag, due, slip_days in items:
        own = councils.get(action_id, [])
        matches = {
            "rag": [r for r in own if r.rag == rag],
            "overdue": [r for r in own if rules.is_overdue(r.due_date, r.status, as_of)]
            if rules.is_overdue(due, status, as_of)
            else [],
            "slipped": [r for r in own if slip_days and r.slip_days == slip_days],
        }
        notes[action_id] = {
            kind: _names(found) for kind, found in matches.items() if found and len(found) < len(own)
        }
        if "slipped" in notes[action_id]:
            update = matches["slipped"][0].update
            notes[action_id]["slipped_reason"] = update.revision_reason if update else ""
        if "rag" in notes[action_id]:
            own_update = next((r.update for r in matches["rag"] if r.update and r.update.partner_id), None)
            if own_update is not None:
                notes[action_id]["rag_update"] = own_update
    return notes


def _names(rows) -> str:
    names = [r.partner.short_name for r in rows]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def with_councils(lines: list[ActionLine], kind: str, *, period: int, as_of) -> list[ActionLine]:
    """`lines`, each naming the councils behind its `kind` figure where not all share it."""
    differing = [ln for ln in lines if ln.partners_differ]
    notes = council_notes(
        ((ln.action_id, ln.status, ln.rag, ln.due_date, ln.slip_days) for ln in differing),
        period=period,
        as_of=as_of,
    )
    result = []
    for line in lines:
        note = notes.get(line.action_id, {})
        if kind in note:
            line = dataclasses.replace(line, councils=note[kind])
            if kind == "slipped":
                line = dataclasses.replace(
                    line, revision_reason=note["slipped_reason"] or line.revision_reason
                )
        result.append(line)
    return result


def comparison_quarter(quarter: Quarter | None) -> Quarter:
    """The quarter whose end the changes are measured from."""
    if quarter is not None:
        return quarter.previous()
    return clock.reporting_quarter().previous()


def _tallies(rows, key: str, as_of: datetime.date) -> dict[int, Tally]:
    """Tallies of state rows grouped by one of their columns, in one query.

    An action not yet reported has a row too: not started, "not_reported", 0%.
    """
    tallies: dict[int, Tally] = {}
    grouped = (
        rows.values(key, "status", "rag")
        .annotate(
            # Counting a column of the covering index (not the id) lets the
            # database answer from the index alone.
            n=Count("action"),
            overdue=Count("action", filter=rules.overdue_state_q(as_of)),
            slipped=Count("action", filter=~Q(slip_days=0)),
            differing=Count("action", filter=Q(partners_differ=True)),
            percent_sum=Sum("percent_complete"),
        )
        .order_by()
    )
    for row in grouped:
        tally = tallies.setdefault(row[key], Tally())
        tally.total += row["n"]
        tally.status[row["status"]] += row["n"]
        tally.rag[row["rag"]] += row["n"]
        tally.overdue += row["overdue"]
        tally.slipped += row["slipped"]
        tally.differing += row["differing"]
        if row["status"] not in rules.EXCLUDED_STATUSES:
            tally.percent_sum += row["percent_sum"] or 0
            tally.percent_counted += row["n"]
    return tallies


def _partner_tallies(plan, *, quarter, partner, theme, as_of) -> list[PartnerTally]:
    """Each partner's picture from its own states: one query for all the partners."""
    partners = [partner] if partner is not None else list(PartnerAuthority.objects.order_by("name"))
    rows = selectors.quarter_states(plan, quarter=quarter, partner=partner, theme=theme, all_partners=True)
    tallies = _tallies(rows, "partner_id", as_of)
    return [PartnerTally(p.pk, p.slug, p.short_name, p.name, tallies.get(p.pk, Tally())) for p in partners]


def _line(row, **extra) -> ActionLine:
    """A list line from a state row (with its action, theme and update selected)."""
    update = row.update
    return ActionLine(
        action_id=row.action_id,
        reference=row.action.reference,
        title=row.action.title,
        theme_number=row.theme.number,
        status=row.status,
        rag=row.rag,
        percent_complete=row.percent_complete,
        original_due_date=row.action.due_date,
        due_date=row.due_date,
        revision_reason=update.revision_reason if update and update.revised_due_date else "",
        slip_days=row.slip_days,
        partners_differ=row.partners_differ,
        **extra,
    )


def _with_lines(rows):
    return rows.select_related("action", "theme", "update")


def _lines(ordered, limit) -> list[ActionLine]:
    """The first `limit` rows in order: chosen on the state table alone, then joined with
    their action, theme and update (joining before the cut would join every row).

    One statement (the choice is a subquery), so one snapshot: an update landing meanwhile
    replaces its action's state rows (derived.refresh), and a second query could find a
    chosen row gone.
    """
    chosen = ordered.values("pk")
    if limit is not None:
        chosen = chosen[:limit]
    rows = _with_lines(ActionQuarterState.objects.filter(pk__in=chosen))
    return [_line(row) for row in rows.order_by(*ordered.query.order_by)]


def _overdue_lines(rows, *, as_of, limit) -> list[ActionLine]:
    """Overdue actions, longest overdue first."""
    overdue = rows.filter(rules.overdue_state_q(as_of)).order_by("due_date", "theme_number", *by_reference())
    return _lines(overdue, limit)


def _slippage_lines(rows, *, limit) -> list[ActionLine]:
    """The slippage register: actions whose due date moved, biggest move first."""
    moved = rows.exclude(slip_days=0).order_by("-slip_days", "theme_number", *by_reference())
    return _lines(moved, limit)


def _changes(plan, rows, *, quarter, partner, theme, limit) -> Changes:
    """Worsened, improved, completed and first reported since the comparison quarter."""
    since = comparison_quarter(quarter)
    fields = ("action_id", "status", "rag")
    reported = ~Q(rag=rules.NOT_REPORTED)
    now = {a: (s, r) for a, s, r in rows.filter(reported).values_list(*fields)}
    before = {}
    if since >= Quarter(plan.year, 1):
        earlier = selectors.quarter_states(plan, quarter=since, partner=partner, theme=theme)
        before = {a: (s, r) for a, s, r in earlier.filter(reported).values_list(*fields)}
    changes = Changes(since=since)
    kinds: dict[int, str] = {}
    for action_id, (status, rag) in now.items():
        kind = _change_kind(before.get(action_id), status, rag)
        if kind:
            kinds[action_id] = kind
            changes.counts[kind] += 1
    wanted = kinds
    if limit is not None:
        # Action ids follow the order actions were added: a stable, cheap cut.
        wanted = {}
        for kind in CHANGE_KINDS:
            wanted.update(dict.fromkeys(sorted(a for a, k in kinds.items() if k == kind)[:limit], kind))
    if not wanted:
        return changes
    for row in _with_lines(rows.filter(action_id__in=list(wanted))):
        previous = before.get(row.action_id)
        changes.lines[wanted[row.action_id]].append(
            _line(
                row,
                previous_status=previous[0] if previous else None,
                previous_rag=previous[1] if previous else None,
            )
        )
    for kind in CHANGE_KINDS:
        changes.lines[kind].sort(key=lambda line: (line.theme_number, reference_sort_key(line.reference)))
    return changes


def _change_kind(before: tuple[str, str] | None, status: str, rag: str) -> str | None:
    if before is None:
        return "added"
    old_status, old_rag = before
    if status == Status.COMPLETED:
        return None if old_status == Status.COMPLETED else "completed"
    if status in rules.EXCLUDED_STATUSES:
        return None
    worsened = rules.rag_worsened(old_rag, rag)
    if worsened is None:
        return None
    return "worsened" if worsened else "improved"


def trend(
    strategy, *, upto: Quarter | None = None, partner=None, theme=None, version: DataVersion | None = None
) -> list[TrendPoint]:
    """RAG counts at the end of every quarter of the strategy up to `upto` (default: now).

    Each quarter counts its own financial year's plan, so the line runs across plans.
    One query for all the quarters not already cached (see _trend_points).
    """
    from django.core.cache import cache

    quarters = strategy.quarters(up_to=upto or clock.current_quarter())
    keys = {}
    if version is not None:
        locked = window.locked_up_to()
        filters = f"{partner.pk if partner else 'all'}:{theme.pk if theme else 'all'}"
        keys = {
            q: f"dashboard-trend-v2:{version.structure}:{strategy.pk}:{q.code}:{filters}"
            for q in quarters
            if locked is not None and q <= locked
        }
    known = cache.get_many(list(keys.values())) if keys else {}
    missing = [q for q in quarters if keys.get(q) not in known]
    computed = _trend_points(strategy, missing, partner=partner, theme=theme)
    points = []
    for q in quarters:
        point = known.get(keys.get(q))
        if point is None:
            point = computed[q]
            if q in keys:
                cache.set(keys[q], point, timeout=CACHE_SECONDS)
        points.append(point)
    return points


def _trend_points(strategy, quarters: list[Quarter], *, partner, theme) -> dict[Quarter, TrendPoint]:
    """Each quarter's point, counting the actions of the quarter's own plan year, in one query.

    State rows exist only for the quarters of each action's own plan year, so
    selecting the quarters selects each quarter's own plan.
    """
    if not quarters:
        return {}
    plans = ActionPlan.objects.filter(strategy=strategy).values_list("pk", flat=True)
    # Plan ids as a list, not a join: the query then reads only the index quarter_state_trend.
    rows = ActionQuarterState.objects.filter(plan__in=list(plans), period__in=[q.code for q in quarters])
    rows = rows.filter(partner=partner) if partner is not None else rows.filter(partner__isnull=True)
    if theme is not None:
        rows = rows.filter(theme=theme)
    counts = {
        (r["period"], r["rag"]): r["n"]
        for r in rows.values("period", "rag").annotate(n=Count("plan")).order_by()  # index-only
    }
    points = {}
    for q in quarters:
        rag = {key: counts.get((q.code, key), 0) for key in rules.RAG_KEYS}
        points[q] = TrendPoint(q, sum(rag.values()), rag)
    return points


# --- caching -------------------------------------------------------------------


# The fingerprint of the data every figure reads lives with the data it reads.
DataVersion = selectors.DataVersion
data_version = selectors.data_version


def cached_summary(
    plan: ActionPlan,
    quarter: Quarter | None = None,
    partner: PartnerAuthority | None = None,
    theme: Theme | None = None,
    *,
    list_limit: int | None = None,
    version: DataVersion | None = None,
) -> Rollup:
    """`summary`, kept in the cache until the data (or the portal's date) changes.

    The key holds the data version, so a new update or an admin edit is seen by
    the very next request in every process; stale entries simply expire.
    """
    from django.core.cache import cache

    version = version or data_version()
    key = cache_key("dashboard-rollup-v1", version, plan, quarter, partner, theme, list_limit)
    rollup = cache.get(key)
    if rollup is None:
        rollup = summary(plan, quarter, partner, theme, list_limit=list_limit, version=version)
        cache.set(key, rollup, timeout=CACHE_SECONDS)
    return rollup


def cache_key(prefix: str, version: DataVersion, plan, quarter, partner, theme, *extra) -> str:
    """A cache key for one picture: the data version, the portal's date and the filters."""
    return ":".join(
        str(part)
        for part in (
            prefix,
            version.full,
            clock.today().isoformat(),
            plan.pk,
            quarter.code if quarter else "live",
            partner.pk if partner else "all",
            theme.pk if theme else "all",
            *extra,
        )
    )


CACHE_SECONDS = 60 * 60
