"""Reads of the risk register: the register as at any quarter, its heat map, one risk's history.

A risk's score at the end of quarter Q is its latest counted review up to Q (risks.rules,
the as-at rule), read in SQL: one subquery per risk for Q and one for the quarter before
(movement since last quarter), so the register costs the same few queries whatever the
number of risks and reviews. A locked quarter's register never changes: reviews for it
and before it are refused (risks.services), and a risk identified later is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from accounts.models import User
from actionplan import rules as action_rules
from actionplan import selectors as action_selectors
from actionplan.models import Action
from core import clock
from core.quarters import Quarter
from risks import rules
from risks.models import Risk, RiskReview, ScoreBand
from themes.models import Theme


def bands(strategy) -> tuple[rules.Band, ...]:
    """The strategy's score bands, lowest first (the defaults when none are set). One query."""
    return rules.bands_from(ScoreBand.objects.filter(strategy=strategy))


@dataclass(frozen=True)
class RiskRow:
    """One risk in the register as at a quarter."""

    risk: Risk
    review: RiskReview | None  # its counted review at the quarter's end (None: not yet reviewed)
    previous: RiskReview | None  # ...at the end of the quarter before
    band: rules.Band
    pending: bool  # a review awaits sign-off (not counted)

    @property
    def score(self) -> int | None:
        return self.review.score if self.review else None

    @property
    def outside_appetite(self) -> bool:
        return self.review is not None and rules.outside_appetite(self.review.score, self.risk.appetite)

    @property
    def movement(self) -> rules.Movement | None:
        """Since the quarter before (None: not yet reviewed)."""
        if self.review is None:
            return None
        return rules.movement(self.previous.score if self.previous else None, self.review.score)

    @property
    def reviewed_this_quarter(self) -> bool:
        return self.review is not None and self.review.period == self.quarter_code

    quarter_code: int = 0


def _review_at(code: int):
    """The id of each risk's counted review as at quarter `code` (rules.review_at, in SQL)."""
    return Subquery(
        RiskReview.objects.filter(rules.counted_q(), risk=OuterRef("pk"), period__lte=code)
        .order_by(*rules.REVIEW_ORDER)
        .values("pk")[:1]
    )


def in_register_q(quarter: Quarter) -> Q:
    """rules.in_register as a query on Risk."""
    return Q(identified_on__lte=quarter.last_day) & (
        Q(closed_on__isnull=True) | Q(closed_on__gte=quarter.first_day)
    )


@dataclass(frozen=True)
class Filters:
    """What the register is narrowed to: the page's and the API's filter form give these."""

    theme: object | None = None
    owner: object | None = None
    band: str = ""
    outside_appetite: bool = False
    moved: str = ""  # a rules.Movement key, or "moved" for up or down
    likelihood: int | None = None
    impact: int | None = None

    def keeps(self, row: RiskRow) -> bool:
        if self.band and (row.review is None or row.band.level != self.band):
            return False
        if self.outside_appetite and not row.outside_appetite:
            return False
        if self.moved:
            moved = row.movement.key if row.movement else ""
            if self.moved == "moved" and moved not in ("up", "down"):
                return False
            if self.moved != "moved" and moved != self.moved:
                return False
        if self.likelihood and (row.review is None or row.review.likelihood != self.likelihood):
            return False
        if self.impact and (row.review is None or row.review.impact != self.impact):
            return False
        return True


@dataclass(frozen=True)
class Cell:
    likelihood: int
    impact: int
    count: int
    band: rules.Band

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def likelihood_label(self) -> str:
        return rules.likelihood_label(self.likelihood)

    @property
    def label(self) -> str:
        """The cell in words: what a screen reader and a reader without colour get."""
        risks = "risk" if self.count == 1 else "risks"
        return (
            f"{self.count} {risks} with likelihood {rules.likelihood_label(self.likelihood)} and impact "
            f"{rules.impact_label(self.impact)}: score {self.score}, {self.band.label.lower()}"
        )


@dataclass(frozen=True)
class Register:
    strategy: object
    quarter: Quarter
    rows: list[RiskRow]
    bands: tuple[rules.Band, ...]
    unfiltered: int = 0
    heat_rows: list[list[Cell]] = field(default_factory=list)  # likelihood 5 down to 1, impact 1 to 5

    @property
    def not_reviewed(self) -> list[RiskRow]:
        return [r for r in self.rows if r.review is None]

    @property
    def band_counts(self) -> list[tuple[rules.Band, int]]:
        """How many risks in each band, worst first (the heat map's table's totals)."""
        ordered = sorted(self.bands, key=lambda b: -b.lowest)
        return [(b, sum(1 for r in self.rows if r.review and r.band == b)) for b in ordered]

    @property
    def outside_appetite(self) -> list[RiskRow]:
        return [r for r in self.rows if r.outside_appetite]

    @property
    def high(self) -> list[RiskRow]:
        return [r for r in self.rows if r.review and r.band.level == "high"]

    @property
    def risen(self) -> list[RiskRow]:
        return [r for r in self.rows if r.movement is rules.UP]


def heat_map(rows: list[RiskRow], band_list: tuple[rules.Band, ...]) -> list[list[Cell]]:
    """The 5x5 matrix of current scores: likelihood 5 (top) down to 1, impact 1 to 5 across."""
    counts: dict[tuple[int, int], int] = {}
    for row in rows:
        if row.review is not None:
            key = (row.review.likelihood, row.review.impact)
            counts[key] = counts.get(key, 0) + 1
    return [
        [Cell(lk, im, counts.get((lk, im), 0), rules.band_of(lk * im, band_list)) for im in rules.LEVELS]
        for lk in reversed(rules.LEVELS)
    ]


def register(
    strategy,
    *,
    quarter: Quarter | None = None,
    filters: Filters | None = None,
    only: Risk | None = None,
    light: bool = False,
) -> Register:
    """The strategy's risks as at the end of `quarter` (None: the reporting quarter, whose
    reviews are due now: clock.reporting_quarter), filtered.

    Four queries whatever the number of risks and reviews (six with `light`): the bands,
    the risks with their two review ids and whether a review waits for sign-off, (their
    themes and owners,) and the reviews.
    `light` leaves out the long texts (cause, event, consequence, controls, commentary)
    that the register page and the dashboard do not show: a thousand risks' worth.
    """
    quarter = quarter or clock.reporting_quarter()
    filters = filters or Filters()
    band_list = bands(strategy)
    risks = (
        Risk.objects.filter(in_register_q(quarter), strategy=strategy)
        .select_related("theme", "owner")
        .annotate(
            current_id=_review_at(quarter.code),
            previous_id=_review_at(quarter.previous().code),
            has_pending=Exists(
                RiskReview.objects.filter(rules.pending_q(), risk=OuterRef("pk"), period__lte=quarter.code)
            ),
        )
        .order_by("theme__number", "reference")
    )
    if only is not None:
        risks = risks.filter(pk=only.pk)
    if filters.theme is not None:
        risks = risks.filter(theme=filters.theme)
    if filters.owner is not None:
        risks = risks.filter(owner=filters.owner)
    if light:
        # Themes and owners are a handful: read once and shared, not joined to every risk.
        risks = list(risks.select_related(None).only(*_LIGHT_RISK_FIELDS))
        themes = {t.pk: t for t in Theme.objects.filter(pk__in={r.theme_id for r in risks})}
        owners = {u.pk: u for u in User.objects.filter(pk__in={r.owner_id for r in risks})}
        for risk in risks:
            risk.theme, risk.owner = themes[risk.theme_id], owners[risk.owner_id]
    risks = list(risks)
    wanted = [pk for pk in {r.current_id for r in risks} | {r.previous_id for r in risks} if pk]
    if light:
        facts = RiskReview.objects.filter(pk__in=wanted).values_list("pk", "period", "likelihood", "impact")
        reviews = {row[0]: ReviewFacts(*row) for row in facts}
    else:
        reviews = RiskReview.objects.in_bulk(wanted)
    all_rows = []
    for risk in risks:
        review = reviews.get(risk.current_id)
        all_rows.append(
            RiskRow(
                risk=risk,
                review=review,
                previous=reviews.get(risk.previous_id),
                band=rules.band_of(review.score, band_list) if review else rules.UNBANDED,
                pending=risk.has_pending,
                quarter_code=quarter.code,
            )
        )
    rows = [r for r in all_rows if filters.keeps(r)]
    return Register(
        strategy, quarter, rows, band_list, unfiltered=len(all_rows), heat_rows=heat_map(rows, band_list)
    )


def risk_row(risk: Risk, *, quarter: Quarter | None = None) -> RiskRow:
    """One risk as the register shows it at `quarter` (None: the reporting quarter); not
    reviewed when it is not on that quarter's register."""
    rows = register(risk.strategy, quarter=quarter, only=risk).rows
    if rows:
        return rows[0]
    return RiskRow(risk=risk, review=None, previous=None, band=rules.UNBANDED, pending=False)


# What the register page and the dashboard show of each risk (register(light=True)).
_LIGHT_RISK_FIELDS = (
    "id", "strategy_id", "theme_id", "owner_id", "reference", "title", "appetite", "review_frequency",
    "identified_on", "closed_on",
)  # fmt: skip


@dataclass(frozen=True)
class ReviewFacts:
    """What the register page needs of a review: light=True reads these, not whole reviews."""

    pk: int
    period: int
    likelihood: int
    impact: int

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def quarter(self) -> Quarter:
        return Quarter.from_code(self.period)


# --- one risk -------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One review in a risk's history, with its movement against the counted review before it."""

    review: RiskReview
    movement: rules.Movement | None  # None for a review that does not count (pending, returned)
    band: rules.Band

    @property
    def state(self) -> str:
        return self.review.sign_off_state


def history(risk: Risk, band_list: tuple[rules.Band, ...]) -> list[HistoryEntry]:
    """Every review of `risk`, newest first, each counted one with its movement. One query."""
    reviews = sorted(risk.reviews.select_related("author", "sign_off__decided_by"), key=rules.review_key)
    entries, counted = [], []
    for review in reviews:
        if review.sign_off_state == action_rules.COUNTED:
            before = rules.review_at(counted, review.period)
            moved = rules.movement(before.score if before else None, review.score)
            counted.append(review)
        else:
            moved = None
        entries.append(HistoryEntry(review, moved, rules.band_of(review.score, band_list)))
    return list(reversed(entries))


@dataclass(frozen=True)
class MitigationState:
    state: action_selectors.ActionState

    @property
    def flagged(self) -> bool:
        """Red or overdue: the action meant to reduce the risk is not delivering."""
        return self.state.rag == action_rules.Rag.RED or self.state.is_overdue


def mitigations(risk: Risk) -> list[MitigationState]:
    """The states now of the actions that mitigate `risk`. Two queries."""
    actions = Action.objects.filter(mitigated_risks=risk).select_related("plan", "theme", "lead_officer")
    return [
        MitigationState(s)
        for s in action_selectors.action_states(actions.order_by("plan__year", "reference"))
    ]


def risk_queryset() -> QuerySet[Risk]:
    return Risk.objects.select_related("strategy", "theme", "owner")
