"""Writes to action plans: progress updates and quarter locks.

Views, the API, imports and tasks call these; none writes the models directly. A
progress update arrives as an UpdateDraft (what the form or the API client asked
for), is checked against every rule at once (update_errors), and is stored by
update_create, which also serialises it with quarter_lock so no update lands in a
locked quarter. The derived state (actionplan.derived) follows through
actionplan.signals.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts import access
from actionplan import selectors, window
from actionplan.models import UPDATE_TEXT_LIMITS, Action, ActionPlan, ProgressUpdate, QuarterLock
from core import clock
from core.drafts import Draft
from core.quarters import Quarter
from core.text import without_controls

Status = ProgressUpdate.Status
Rag = ProgressUpdate.Rag


@dataclasses.dataclass(frozen=True)
class UpdateDraft(Draft):
    """A progress update as asked for, before the rules: the one list of its answers.

    With `no_change`, `commentary` is the reason nothing has changed and the position
    (status, RAG, % complete, next steps, revised date and its reason) is left empty:
    the service copies it from no_change_baseline.
    """

    quarter: Quarter | None = None
    partner: object | None = None  # a themes.PartnerAuthority, or None for the whole action
    no_change: bool = False
    status: str = ""
    rag: str = ""
    percent_complete: int | None = None
    commentary: str = ""
    next_steps: str = ""
    revised_due_date: datetime.date | None = None
    revision_reason: str = ""

    def stored_values(self) -> dict:
        """The draft in the model's terms, as ProgressUpdate fields."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        quarter = values.pop("quarter")
        return {**values, "period": quarter.code if quarter else None}


# An update's answers as stored: a double submit repeats every one of them.
_COMPARED_FIELDS = tuple(
    {"partner": "partner_id", "quarter": "period"}.get(f.name, f.name)
    for f in dataclasses.fields(UpdateDraft)
)


class UpdateConflict(Exception):
    """Someone else added an update after the form or client last saw the action."""

    def __init__(self, newer: ProgressUpdate):
        super().__init__(f"{newer.author} updated this action at {newer.created_at:%H:%M}.")
        self.newer = newer


def update_create(
    *,
    action: Action,
    author,
    draft: UpdateDraft,
    seen_update_id: int | None = None,
    check_version: bool = True,
) -> ProgressUpdate:
    """Add a progress update to an action.

    Every rule of update_errors is checked first (ValidationError, keyed by draft field).
    `seen_update_id` is the newest update the author saw (None if none): if a newer one
    exists the update is refused with UpdateConflict, unless the newer one is this
    author's identical update (a double submit), which is returned. The rules are
    checked, and the update stored, holding the quarter-lock guard (quarter_lock takes
    it too), so a quarter locked meanwhile refuses the update rather than admitting it.
    """
    if not access.can_update_action(author, action):
        raise PermissionDenied("You can only update actions you lead.")

    with transaction.atomic():
        window.lock_guard(exclusive=False)
        # Serialise writers on this action so the version check below is reliable.
        Action.objects.select_for_update().filter(pk=action.pk).first()
        candidate, errors = _checked(action, draft)
        if errors:
            raise ValidationError(errors)
        candidate.author = author
        candidate.created_at = clock.now()
        newest = selectors.newest_update(action)
        if check_version and newest is not None and newest.pk != seen_update_id:
            if _same_submission(newest, candidate):
                return newest
            raise UpdateConflict(newest)
        # With sign-off on, it counts only once someone else approves it (actionplan.sign_off).
        candidate.needs_sign_off = sign_off_needed(action)
        candidate.full_clean()
        candidate.save()  # actionplan.signals refreshes the action's derived state
    action.refresh_from_db(fields=["latest_update"])
    return candidate


def sign_off_needed(action: Action) -> bool:
    """Whether a new update of `action` must be approved before it counts: its strategy's setting."""
    return ActionPlan.objects.filter(pk=action.plan_id, strategy__updates_need_sign_off=True).exists()


def update_errors(
    *,
    action: Action,
    draft: UpdateDraft,
    format_errors: Mapping[str, list] | None = None,
) -> dict[str, list[str]]:
    """Every problem with a draft at once, by field, for the form and the API alike ({}: none).

    `format_errors` are the answers' own (a form's or serializer's, by field); a field
    that already failed its own check keeps that message only, since the rules, given
    no value for it, would only repeat it less precisely.
    Who may update and the version check are not part of it: update_create does those.
    """
    merged = {key: [str(m) for m in messages] for key, messages in (format_errors or {}).items()}
    _, errors = _checked(action, draft)
    for key, message in errors.items():
        merged.setdefault(key, [message])
    return merged


def no_change_baseline(*, action: Action, partner=None) -> ProgressUpdate | None:
    """The update a "no change" update copies: the state it says has not changed.

    For the whole action, its latest overall update; for one partner, that partner's
    latest partner update, or the latest overall one when it has none (the
    per-partner rule of actionplan.rules). None when there is nothing to copy.
    """
    if partner is None:
        return action.latest_update
    return selectors.action_state(action, partner=partner).update


# What a "no change" update copies from the state it says has not changed.
_COPIED_FIELDS = {
    "status": "status",
    "rag": "RAG rating",
    "percent_complete": "percentage complete",
    "next_steps": "next steps",
    "revised_due_date": "revised due date",
    "revision_reason": "reason for the revised due date",
}


def _checked(action: Action, draft: UpdateDraft) -> tuple[ProgressUpdate, dict[str, str]]:
    """The update the draft would store, and every rule it breaks (by draft field)."""
    candidate, errors = _candidate(action, draft)
    _validate(candidate, action, draft.quarter, errors)
    return candidate, errors


def _candidate(action: Action, draft: UpdateDraft) -> tuple[ProgressUpdate, dict[str, str]]:
    """The update as it would be stored, and the errors found making it.

    Text is trimmed and loses its control characters (core.text); a "no change"
    update is a copy of its baseline; a completed action is blue and 100%.
    """
    values = draft.stored_values()
    for name in UPDATE_TEXT_LIMITS:
        values[name] = without_controls(values[name] or "").strip()
    values["status"], values["rag"] = values["status"] or "", values["rag"] or ""
    update = ProgressUpdate(action=action, **values)
    errors = {}
    if draft.no_change:
        errors = _copy_baseline(update, no_change_baseline(action=action, partner=draft.partner))
    if update.status == Status.COMPLETED:
        # Blue shows completed, and a completed action is 100% done.
        update.rag, update.percent_complete = Rag.BLUE, 100
    return update, errors


def _copy_baseline(update: ProgressUpdate, baseline: ProgressUpdate | None) -> dict[str, str]:
    """Make `update` the copy of `baseline` a "no change" update is; errors where it cannot be."""
    if baseline is None:
        return {"no_change": "There is no earlier update to copy: record the position instead."}
    errors = {}
    for field, label in _COPIED_FIELDS.items():
        given, kept = getattr(update, field), getattr(baseline, field)
        # A value sent that differs from the copy is a contradiction: say so rather than drop it.
        if given not in (None, "") and given != kept:
            errors[field] = (
                f"Nothing has changed, so the {label} is copied from the last update: "
                "leave it out, or record the new position instead."
            )
        setattr(update, field, kept)
    if not update.commentary:
        errors["commentary"] = "Enter why nothing has changed."
    return errors


def _same_submission(newest: ProgressUpdate, candidate: ProgressUpdate) -> bool:
    return newest.author_id == candidate.author_id and all(
        getattr(newest, f) == getattr(candidate, f) for f in _COMPARED_FIELDS
    )


def _validate(
    update: ProgressUpdate, action: Action, quarter: Quarter | None, errors: dict[str, str]
) -> None:
    """Add to `errors` every rule the update breaks, keyed by field.

    `errors` may already hold _candidate's (a "no change" update that could not be made).
    """
    locked = window.locked_up_to()
    open_now = window.update_window(action, locked=locked)
    if not open_now.is_open:
        errors["quarter"] = open_now.reason
    elif quarter is None:
        errors["quarter"] = "Choose the quarter you are reporting on."
    elif quarter not in open_now.quarters:
        refusal = window.quarter_refusal(action, quarter, current=clock.current_quarter(), locked=locked)
        labels = ", ".join(q.label for q in reversed(open_now.quarters))
        errors["quarter"] = f"{refusal} Updates can be added for {labels}."
    if "no_change" not in errors:
        # (With nothing to copy, the position's answers are missing because of that one problem.)
        _validate_position(update, action, errors)
    for name, limit in UPDATE_TEXT_LIMITS.items():
        length = len(getattr(update, name))
        if length > limit:
            label = _TEXT_LABELS[name]
            errors[name] = f"{label} must be {limit:,} characters or fewer (it is {length:,})."
    if update.partner_id and not action.partners.filter(pk=update.partner_id).exists():
        errors["partner"] = "Choose a partner this action serves."


_TEXT_LABELS = {
    "commentary": "Commentary",
    "next_steps": "Next steps",
    "revision_reason": "The reason for the revised due date",
}


def _validate_position(update: ProgressUpdate, action: Action, errors: dict[str, str]) -> None:
    """The rules for the position an update records: status, RAG, % complete, commentary, dates."""
    if update.status not in Status.values:
        errors.setdefault("status", "Choose a status.")
    if update.rag not in Rag.values:
        errors.setdefault("rag", "Choose a RAG rating.")
    elif update.rag == Rag.BLUE and update.status != Status.COMPLETED:
        errors.setdefault("rag", "Blue is only for completed actions.")
    if update.percent_complete is None:
        errors.setdefault("percent_complete", "Enter the percentage complete, a whole number from 0 to 100.")
    elif not isinstance(update.percent_complete, int) or not 0 <= update.percent_complete <= 100:
        errors.setdefault("percent_complete", "Percent complete must be a whole number from 0 to 100.")
    if update.rag in (Rag.AMBER, Rag.RED) and not update.commentary:
        errors.setdefault("commentary", "Enter commentary explaining why the action is amber or red.")
    if update.revised_due_date and not update.revision_reason:
        errors.setdefault("revision_reason", "Enter the reason the due date has changed.")
    if update.revised_due_date and update.revised_due_date < action.start_date:
        errors.setdefault("revised_due_date", "The revised due date must not be before the start date.")


def quarter_lock(*, quarter: Quarter, user=None, reason: str = "") -> QuarterLock:
    """Lock a reported quarter (and so every quarter before it). Idempotent.

    Taken under the exclusive lock guard: an update being saved for the quarter either
    commits first (and is in the report) or waits and is refused.
    """
    if user is not None and not access.can_lock_quarters(user):
        raise PermissionDenied("Only administrators can lock quarters.")
    with transaction.atomic():
        window.lock_guard(exclusive=True)
        lock, _ = QuarterLock.objects.get_or_create(
            period=quarter.code, defaults={"locked_by": user, "reason": reason}
        )
    return lock


def quarter_reopen(*, quarter: Quarter, user, reason: str) -> QuarterLock:
    """Reopen the latest locked quarter, with a reason, so updates for it can be added again.

    Quarters lock "up to" (window.locked_up_to), so only the latest locked one can be
    reopened: reopening an earlier one would reopen every quarter after it. The
    quarters before it stay locked: when they were locked only by this quarter's lock,
    the quarter before is locked in its place, with the same date and person, so a
    rebuilt report of an earlier quarter still prints the date it always did
    (reporting.selectors.report_date). The lock is deleted, and its history row, with
    who reopened it and why, is the audit record. Returns the deleted lock.
    Taken under the exclusive lock guard, like quarter_lock.
    """
    if not access.can_lock_quarters(user):
        raise PermissionDenied("Only administrators can reopen quarters.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Enter why {quarter.label} is being reopened."})
    with transaction.atomic():
        window.lock_guard(exclusive=True)
        latest = window.locked_up_to()
        if latest is None or quarter > latest:
            raise ValidationError({"quarter": f"{quarter.label} is not locked, so it cannot be reopened."})
        if quarter != latest:
            raise ValidationError(
                {
                    "quarter": f"Only the latest locked quarter, {latest.label}, can be reopened: "
                    f"{quarter.label} is locked because {latest.label} is."
                }
            )
        lock = QuarterLock.objects.get(period=quarter.code)
        before = quarter.previous()
        if not QuarterLock.objects.filter(period=before.code).exists():
            kept = QuarterLock(
                period=before.code,
                locked_by=lock.locked_by,
                locked_at=lock.locked_at,
                reason=f"Locked with {quarter.label}; kept locked when {quarter.label} was reopened",
            )
            kept._history_user = user
            kept._change_reason = _history_reason(f"Kept locked when {quarter.label} was reopened")
            kept.save()
        lock._history_user = user
        lock._change_reason = _history_reason(f"Reopened: {reason}")
        lock.delete()
    return lock


def _history_reason(text: str) -> str:
    """A history row's change reason, which holds 100 characters."""
    return text if len(text) <= 100 else text[:99] + "…"
