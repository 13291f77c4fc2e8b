"""Writes to indicators: recording a value. The form, the API and the import call these.

A value arrives as a ValueDraft, is checked against every rule at once (value_errors,
the one adapter for the form, the API and the import) and stored by value_create,
which, like actionplan.services.update_create, refuses a value for a locked quarter
under the quarter-lock guard and never silently overwrites someone else's newer value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts import access
from actionplan import window
from actionplan.models import UPDATE_TEXT_LIMITS
from core import clock
from core.drafts import Draft
from core.text import without_controls
from indicators import rules, selectors
from indicators.models import Indicator, IndicatorValue
from indicators.periods import Period

COMMENTARY_LIMIT = UPDATE_TEXT_LIMITS["commentary"]
# DecimalField(max_digits=14, decimal_places=2): 12 digits before the point.
_LARGEST = Decimal("999999999999.99")


@dataclasses.dataclass(frozen=True)
class ValueDraft(Draft):
    """A value as asked for, before the rules: the one list of its answers."""

    period: Period | None = None
    partner: object | None = None  # a themes.PartnerAuthority, or None for the whole service
    actual: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    commentary: str = ""


_COMPARED_FIELDS = ("period_end", "partner_id", "actual", "numerator", "denominator", "commentary")


class ValueConflict(Exception):
    """Someone recorded a value for this indicator after the form or client last saw it."""

    def __init__(self, newer: IndicatorValue):
        who, when = newer.author.display_name, f"{newer.created_at:%H:%M}"
        super().__init__(f"{who} recorded a value for {newer.period.label} at {when}.")
        self.newer = newer


def value_create(
    *,
    indicator: Indicator,
    author,
    draft: ValueDraft,
    seen_value_id: int | None = None,
    check_version: bool = True,
) -> IndicatorValue:
    """Record one period's value of an indicator.

    Every rule of value_errors first (ValidationError, keyed by draft field). `seen_value_id`
    is the newest value the author saw (None if none): a newer one refuses the value with
    ValueConflict, unless it is this author's identical value (a double submit), which is
    returned. Checked and stored holding the quarter-lock guard, so a quarter locked
    meanwhile refuses the value rather than admitting it into a reported quarter.
    """
    if not access.can_record_indicator_value(author, indicator):
        raise PermissionDenied("Only the indicator's owner or an administrator can record its values.")
    with transaction.atomic():
        window.lock_guard(exclusive=False)
        # Serialise writers on this indicator so the version check below is reliable.
        Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
        candidate, errors = _checked(indicator, draft)
        if errors:
            raise ValidationError(errors)
        candidate.author = author
        candidate.created_at = clock.now()
        newest = selectors.newest_value(indicator)
        if check_version and newest is not None and newest.pk != seen_value_id:
            if _same_submission(newest, candidate):
                return newest
            raise ValueConflict(newest)
        candidate.full_clean()
        candidate._history_user = author
        candidate.save()
    return candidate


def value_errors(
    *, indicator: Indicator, draft: ValueDraft, format_errors: Mapping[str, list] | None = None
) -> dict[str, list[str]]:
    """Every problem with a draft at once, by field ({}: none). A field that failed its own
    format check (`format_errors`, a form's or serializer's) keeps that message only."""
    merged = {key: [str(m) for m in messages] for key, messages in (format_errors or {}).items()}
    _, errors = _checked(indicator, draft)
    for key, message in errors.items():
        merged.setdefault(key, [message])
    return merged


def value_rag(indicator: Indicator, period: Period, actual: Decimal) -> str:
    """The RAG a value would have on its own (what "commentary required on red" reads)."""
    if not rules.rated_monthly(indicator):
        return rules.NO_RAG
    target = rules.target_for(selectors.targets_of(indicator), period)
    return rules.rag_for(indicator, actual, target)


def _checked(indicator: Indicator, draft: ValueDraft) -> tuple[IndicatorValue, dict[str, str]]:
    errors: dict[str, str] = {}
    commentary = without_controls(draft.commentary or "").strip()
    value = IndicatorValue(
        indicator=indicator,
        period_end=draft.period.end if draft.period else None,
        partner=draft.partner,
        numerator=draft.numerator,
        denominator=draft.denominator,
        commentary=commentary,
    )
    _check_period(indicator, draft.period, errors)
    if draft.partner is not None and not indicator.per_partner:
        errors["partner"] = "This indicator's values are for the whole service: leave the partner out."
    value.actual = _actual(indicator, draft, errors)
    if len(commentary) > COMMENTARY_LIMIT:
        errors["commentary"] = (
            f"Commentary must be {COMMENTARY_LIMIT:,} characters or fewer (it is {len(commentary):,})."
        )
    elif value.actual is not None and draft.period is not None and "period" not in errors and not commentary:
        if value_rag(indicator, draft.period, value.actual) == rules.RED:
            errors["commentary"] = "Enter commentary: what caused the red and what is being done about it."
    return value, errors


def _check_period(indicator: Indicator, period: Period | None, errors: dict[str, str]) -> None:
    if period is None:
        errors["period"] = f"Enter the {_period_word(indicator)} the value is for."
        return
    if period.frequency != indicator.frequency:
        errors["period"] = (
            f"This indicator is {indicator.get_frequency_display().lower()}: "
            f"enter a {_period_word(indicator)}."
        )
        return
    strategy = indicator.strategy
    if period.year not in strategy.years:
        errors["period"] = f"{period.label} is outside the strategy's years ({strategy.period_label})."
    elif period.end > clock.today():
        # A part-month (or part-quarter) figure is not the period's: record it once the period is over.
        errors["period"] = f"{period.label} has not ended yet: record its value from {period.end:%-d %B %Y}."
    elif window.is_quarter_locked(period.quarter):
        errors["period"] = (
            f"{period.label} is in {period.quarter.label}, which is locked because it has been reported "
            "to the board: its values can no longer change."
        )


def _period_word(indicator: Indicator) -> str:
    return {"monthly": "month", "quarterly": "quarter", "annual": "financial year"}[indicator.frequency]


def _actual(indicator: Indicator, draft: ValueDraft, errors: dict[str, str]) -> Decimal | None:
    """The actual, from the draft or from its numerator and denominator."""
    actual, numerator, denominator = draft.actual, draft.numerator, draft.denominator
    for name, number in (("actual", actual), ("numerator", numerator), ("denominator", denominator)):
        problem = _number_problem(number)
        if problem:
            errors[name] = problem.format(name=name.capitalize())
    if (numerator is None) != (denominator is None):
        missing = "denominator" if denominator is None else "numerator"
        errors.setdefault(missing, f"Enter the {missing} too, or neither.")
    elif denominator is not None and "denominator" not in errors and denominator <= 0:
        errors["denominator"] = "The denominator must be more than 0."
    if "actual" in errors:
        return None
    if "numerator" in errors or "denominator" in errors:
        # The typed value is still checked (commentary on red), so every problem shows at once.
        return actual
    if numerator is None:
        if actual is None:
            errors["actual"] = "Enter the value."
        return actual
    ratio = numerator / denominator * (100 if indicator.is_percentage else 1)
    worked = ratio.quantize(rules.CENT, ROUND_HALF_UP)
    if actual is None:
        return worked
    # The actual is usually typed rounded to one place: within half of one is consistent.
    if abs(actual - ratio) > Decimal("0.05"):
        errors["actual"] = f"The value does not match the numerator and denominator, which make {worked}."
    return actual


def _number_problem(number: Decimal | None) -> str:
    if number is None:
        return ""
    try:
        if not number.is_finite():
            return "{name} must be a number."
        if number.as_tuple().exponent < -2 and number != number.quantize(rules.CENT):
            return "{name} must have at most 2 decimal places."
    except (AttributeError, InvalidOperation):
        return "{name} must be a number."
    if abs(number) > _LARGEST:
        return "{name} is too large."
    return ""


def _same_submission(newest: IndicatorValue, candidate: IndicatorValue) -> bool:
    return newest.author_id == candidate.author_id and all(
        getattr(newest, f) == getattr(candidate, f) for f in _COMPARED_FIELDS
    )
