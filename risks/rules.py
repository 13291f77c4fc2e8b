"""The rules of a risk's score: one home that pages, the API, the report and tests call.

- Levels: likelihood and impact are 1 to 5, each with its name.
- Score: likelihood x impact (1 to 25); its band from the strategy's bands
  (DEFAULT_BANDS when it has none set); outside appetite when above the risk's appetite.
- Movement: a score against an earlier one, up, down or unchanged, in words and arrows.
- As at: a risk's current score at the end of quarter Q is its latest counted review
  (one needing no sign-off, or approved) for a period up to and including Q, latest by
  period, then time entered, then id: actionplan.rules' end-of-quarter order
  (state_key, state_at), which reviews share with updates.

Nothing here reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from actionplan import rules as action_rules

LIKELIHOOD_LABELS: dict[int, str] = {
    1: "Rare",
    2: "Unlikely",
    3: "Possible",
    4: "Likely",
    5: "Almost certain",
}
IMPACT_LABELS: dict[int, str] = {1: "Minimal", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Catastrophic"}
LEVELS = (1, 2, 3, 4, 5)


def likelihood_label(level: int) -> str:
    return f"{level} {LIKELIHOOD_LABELS[level]}"


def impact_label(level: int) -> str:
    return f"{level} {IMPACT_LABELS[level]}"


def score(likelihood: int, impact: int) -> int:
    """A risk's score: its likelihood times its impact, 1 to 25."""
    if likelihood not in LEVELS or impact not in LEVELS:
        raise ValueError("Likelihood and impact are levels from 1 to 5.")
    return likelihood * impact


# --- bands ------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    level: str  # risks.models.ScoreBand.Level
    label: str
    lowest: int
    highest: int

    def contains(self, value: int) -> bool:
        return self.lowest <= value <= self.highest


# The bands a strategy has when none are set (the common council 5x5 split).
DEFAULT_BANDS: tuple[Band, ...] = (
    Band("low", "Low", 1, 4),
    Band("medium", "Medium", 5, 12),
    Band("high", "High", 15, 25),
)
BAND_ORDER = ("high", "medium", "low")  # worst first, as every list shows them
UNBANDED = Band("", "No band", 0, 0)


def bands_from(rows) -> tuple[Band, ...]:
    """A strategy's bands from its ScoreBand rows (DEFAULT_BANDS when there are none), lowest first."""
    bands = tuple(
        Band(r.level, r.get_level_display(), r.lowest, r.highest)
        for r in sorted(rows, key=lambda r: r.lowest)
    )
    return bands or DEFAULT_BANDS


def band_of(value: int, bands: tuple[Band, ...] = DEFAULT_BANDS) -> Band:
    """The band a score falls in. Scores between bands (13 and 14 are no product of two
    levels, but a strategy can set gaps) belong to the band above: a gap never hides a risk
    as lower than it is."""
    for band in bands:
        if band.contains(value):
            return band
    above = [b for b in bands if b.lowest > value]
    return min(above, key=lambda b: b.lowest) if above else UNBANDED


def outside_appetite(value: int, appetite: int) -> bool:
    """Above the highest score the councils accept for the risk."""
    return value > appetite


# --- movement -----------------------------------------------------------------------


@dataclass(frozen=True)
class Movement:
    key: str  # "up", "down", "unchanged" or "new"
    label: str
    arrow: str

    @property
    def text(self) -> str:
        return f"{self.arrow} {self.label}"


UP = Movement("up", "Risen", "↑")
DOWN = Movement("down", "Fallen", "↓")
UNCHANGED = Movement("unchanged", "Unchanged", "→")
NEW = Movement("new", "First review", "•")
MOVEMENTS = {m.key: m for m in (UP, DOWN, UNCHANGED, NEW)}


def movement(previous: int | None, current: int) -> Movement:
    """How a score moved against the one before (None: there was none)."""
    if previous is None:
        return NEW
    if current > previous:
        return UP
    if current < previous:
        return DOWN
    return UNCHANGED


def commentary_required(*, previous: int | None, current: int, appetite: int) -> str:
    """Why a review's commentary is required ("" when it is not): the score rose against the
    previous review, or it is outside the risk's appetite."""
    if previous is not None and current > previous:
        return f"The score has risen from {previous} to {current}: say why."
    if outside_appetite(current, appetite):
        return (
            f"The score of {current} is above the risk's appetite of {appetite}: say how it is being managed."
        )
    return ""


# --- as at --------------------------------------------------------------------------


def counted_q(prefix: str = "") -> Q:
    """Reviews that count (needing no sign-off, or approved): the as-at rule reads only these."""
    return action_rules.counted_q(prefix)


def pending_q(prefix: str = "") -> Q:
    """Reviews submitted and not yet decided: shown as pending, counted nowhere."""
    return action_rules.pending_q(prefix)


REVIEW_ORDER = action_rules.STATE_ORDER
review_key = action_rules.state_key


def review_at(history: list, code: int):
    """The as-at rule over one risk's counted reviews sorted by review_key: its review at the
    end of quarter `code`, or None (not yet reviewed)."""
    return action_rules.state_at(history, code)


def in_register(identified_on, closed_on, quarter) -> bool:
    """Whether a risk is in the register as at `quarter`: identified by its end, and not
    closed before it began."""
    return identified_on <= quarter.last_day and (closed_on is None or closed_on >= quarter.first_day)


# Which quarters a risk reviewed less often than quarterly is due a review in.
REVIEW_QUARTERS = {"quarterly": (1, 2, 3, 4), "half_yearly": (2, 4), "annually": (4,)}


def review_due(frequency: str, quarter) -> bool:
    """Whether a risk reviewed at `frequency` (Risk.ReviewFrequency) owes a review for `quarter`."""
    return quarter.number in REVIEW_QUARTERS[frequency]
