"""Writes to the risk register: quarterly reviews.

Views, the API and the demo call these; none writes RiskReview directly. A review
arrives as a ReviewDraft (what the form or the API client asked for), is checked
against every rule at once (review_errors), and is stored by review_create under the
quarter-lock guard actionplan.services takes for updates, so no review lands in a
locked quarter, and with the version check updates have: the second of two people
reviewing one risk is told and keeps what they typed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts import access
from actionplan import window
from actionplan.window import UpdateWindow
from core import clock
from core.drafts import Draft
from core.quarters import Quarter, quarters_between
from core.text import without_controls
from risks import rules
from risks.models import REVIEW_TEXT_LIMITS, Risk, RiskReview

Effectiveness = RiskReview.Effectiveness


@dataclasses.dataclass(frozen=True)
class ReviewDraft(Draft):
    """A risk review as asked for, before the rules: the one list of its answers."""

    quarter: Quarter | None = None
    likelihood: int | None = None
    impact: int | None = None
    control_effectiveness: str = ""
    controls: str = ""
    commentary: str = ""


class ReviewConflict(Exception):
    """Someone else added a review after the form or client last saw the risk."""

    def __init__(self, newer: RiskReview):
        super().__init__(f"{newer.author} reviewed this risk at {newer.created_at:%H:%M}.")
        self.newer = newer


def review_window(risk: Risk, *, locked: Quarter | None | object = None) -> UpdateWindow:
    """Which quarters a review of `risk` can be for now (newest first), or why none can.

    A quarter of the risk's strategy that has started, is not locked (reported to the
    board), and falls while the risk was on the register (identified by its end, not
    closed before it began). The default is the reporting quarter, as for updates.
    """
    locked = window.locked_up_to() if locked is None else locked
    strategy = risk.strategy
    current = clock.current_quarter()
    first = max(Quarter(strategy.first_year, 1), risk.first_quarter)
    last = min(Quarter(strategy.last_year, 4), current)
    if risk.closed_on:
        last = min(last, Quarter.containing(risk.closed_on))
    quarters = tuple(
        q
        for q in reversed(quarters_between(first, last) if first <= last else [])
        if not (locked and q <= locked)
    )
    if quarters:
        return UpdateWindow(quarters)
    if risk.closed_on and risk.closed_on < current.first_day:
        return UpdateWindow(
            (), f"This risk was closed on {risk.closed_on:%-d %B %Y}: it takes no more reviews."
        )
    if first > last:
        return UpdateWindow(
            (), f"This risk is on the register from {first.label}: it can be reviewed from then."
        )
    return UpdateWindow(
        (), f"{locked.label} and the quarters before it have been reported to the board and locked."
    )


def review_create(
    *,
    risk: Risk,
    author,
    draft: ReviewDraft,
    seen_review_id: int | None = None,
    check_version: bool = True,
) -> RiskReview:
    """Add a quarterly review to a risk.

    Every rule of review_errors is checked first (ValidationError, keyed by draft field).
    `seen_review_id` is the newest review the author saw (None if none): if a newer one
    exists the review is refused with ReviewConflict, unless the newer one is this
    author's identical review (a double submit), which is returned. Checked and stored
    under the quarter-lock guard, so a quarter locked meanwhile refuses it.
    """
    if not access.can_review_risk(author, risk):
        raise PermissionDenied("Only the risk's owner or an administrator can review it.")
    with transaction.atomic():
        window.lock_guard(exclusive=False)
        # Serialise reviewers of this risk so the version check below is reliable.
        Risk.objects.select_for_update().filter(pk=risk.pk).first()
        candidate, errors = _checked(risk, draft)
        if errors:
            raise ValidationError(errors)
        candidate.author = author
        candidate.created_at = clock.now()
        newest = newest_review(risk)
        if check_version and newest is not None and newest.pk != seen_review_id:
            if _same_submission(newest, candidate):
                return newest
            raise ReviewConflict(newest)
        candidate.needs_sign_off = risk.strategy.updates_need_sign_off
        candidate.full_clean()
        candidate.save()
    return candidate


def newest_review(risk: Risk) -> RiskReview | None:
    """The most recently entered review of any state: the version a form was loaded at."""
    return risk.reviews.order_by("-id").first()


def review_errors(
    *, risk: Risk, draft: ReviewDraft, format_errors: Mapping[str, list] | None = None
) -> dict[str, list[str]]:
    """Every problem with a draft at once, by field, for the form and the API alike ({}: none).

    A field that already failed its own format check keeps that message only."""
    merged = {key: [str(m) for m in messages] for key, messages in (format_errors or {}).items()}
    _, errors = _checked(risk, draft)
    for key, message in errors.items():
        merged.setdefault(key, [message])
    return merged


def previous_score(risk: Risk, quarter: Quarter) -> int | None:
    """The score a review for `quarter` would follow: the risk's counted review as at that
    quarter (rules.review_at), None when it has none. Commentary is required if it rises."""
    history = sorted(risk.reviews.filter(rules.counted_q()), key=rules.review_key)
    previous = rules.review_at(history, quarter.code)
    return previous.score if previous else None


def _checked(risk: Risk, draft: ReviewDraft) -> tuple[RiskReview, dict[str, str]]:
    values = {f.name: getattr(draft, f.name) for f in dataclasses.fields(draft)}
    quarter = values.pop("quarter")
    for name in REVIEW_TEXT_LIMITS:
        values[name] = without_controls(values[name] or "").strip()
    review = RiskReview(risk=risk, period=quarter.code if quarter else None, **values)
    errors: dict[str, str] = {}
    open_now = review_window(risk)
    if not open_now.is_open:
        errors["quarter"] = open_now.reason
    elif quarter is None:
        errors["quarter"] = "Choose the quarter you are reviewing."
    elif quarter not in open_now.quarters:
        labels = ", ".join(q.label for q in reversed(open_now.quarters))
        why = (
            f"{quarter.label} is locked because it has been reported to the board."
            if window.is_quarter_locked(quarter)
            else f"{quarter.label} is not a quarter this risk can be reviewed for."
        )
        errors["quarter"] = f"{why} Reviews can be added for {labels}."
    for name, label in (("likelihood", "likelihood"), ("impact", "impact")):
        if getattr(review, name) not in rules.LEVELS:
            errors[name] = f"Choose the {label}, a level from 1 to 5."
    if review.control_effectiveness not in Effectiveness.values:
        errors["control_effectiveness"] = "Choose how effective the controls are."
    if not review.controls:
        errors["controls"] = "Describe the controls in place."
    for name, limit in REVIEW_TEXT_LIMITS.items():
        length = len(getattr(review, name))
        if length > limit:
            errors[name] = f"{_TEXT_LABELS[name]} must be {limit:,} characters or fewer (it is {length:,})."
    if "likelihood" not in errors and "impact" not in errors and "commentary" not in errors:
        previous = previous_score(risk, quarter) if quarter else None
        why = rules.commentary_required(previous=previous, current=review.score, appetite=risk.appetite)
        if why and not review.commentary:
            errors["commentary"] = f"Enter commentary. {why}"
    return review, errors


_TEXT_LABELS = {"controls": "The controls in place", "commentary": "Commentary"}
_COMPARED = ("period", "likelihood", "impact", "control_effectiveness", "controls", "commentary")


def _same_submission(newest: RiskReview, candidate: RiskReview) -> bool:
    return newest.author_id == candidate.author_id and all(
        getattr(newest, f) == getattr(candidate, f) for f in _COMPARED
    )
