"""Writes to action plans: progress updates and quarter locks.

Views, the API, imports and tasks call these; none writes the models directly.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from actionplan import selectors
from actionplan.models import Action, ActionPlan, ActionQuarterState, ProgressUpdate, QuarterLock
from core import access, clock
from core.quarters import Quarter

Status = ProgressUpdate.Status
Rag = ProgressUpdate.Rag

_COMPARED_FIELDS = (
    "period",
    "partner_id",
    "status",
    "rag",
    "percent_complete",
    "commentary",
    "next_steps",
    "revised_due_date",
    "revision_reason",
    "no_change",
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
    quarter: Quarter | None,
    status: str = "",
    rag: str = "",
    percent_complete: int | None = None,
    commentary: str = "",
    next_steps: str = "",
    revised_due_date: datetime.date | None = None,
    revision_reason: str = "",
    partner=None,
    no_change: bool = False,
    seen_update_id: int | None = None,
    check_version: bool = True,
) -> ProgressUpdate:
    """Add a progress update to an action.

    Every rule of update_validate is checked first. `seen_update_id` is the newest
    update the author saw (None if none): if a newer one exists the update is
    refused with UpdateConflict, unless the newer one is this author's identical
    update (a double submit), which is returned. A `no_change` update copies its
    baseline (see update_validate).
    """
    if not access.can_update_action(author, action):
        raise PermissionDenied("You can only update actions you lead.")

    candidate, copy_errors = _candidate(
        action=action,
        quarter=quarter,
        status=status,
        rag=rag,
        percent_complete=percent_complete,
        commentary=commentary,
        next_steps=next_steps,
        revised_due_date=revised_due_date,
        revision_reason=revision_reason,
        partner=partner,
        no_change=no_change,
    )
    candidate.author = author
    candidate.created_at = clock.now()
    _validate(candidate, action, quarter, copy_errors)

    with transaction.atomic():
        # Serialise writers on this action so the version check below is reliable.
        Action.objects.select_for_update().filter(pk=action.pk).first()
        newest = selectors.newest_update(action)
        if check_version and newest is not None and newest.pk != seen_update_id:
            if _same_submission(newest, candidate):
                return newest
            raise UpdateConflict(newest)
        candidate.full_clean()
        candidate.save()  # actionplan.signals rebuilds the action's quarter states
        if partner is None:
            latest = action.updates.filter(partner__isnull=True).order_by(*selectors.STATE_ORDER).first()
            Action.objects.filter(pk=action.pk).update(latest_update=latest)
            action.latest_update = latest
    return candidate


def update_validate(
    *,
    action: Action,
    quarter: Quarter | None,
    status: str = "",
    rag: str = "",
    percent_complete: int | None = None,
    commentary: str = "",
    next_steps: str = "",
    revised_due_date: datetime.date | None = None,
    revision_reason: str = "",
    partner=None,
    no_change: bool = False,
) -> None:
    """Check an update against every rule without saving it (update_create's checks).

    Raises one ValidationError keyed by field with every problem found, so the form
    and the API can show them all at once, beside their own format errors. Who may
    update and the version check are not part of it: update_create does those.

    A `no_change` update says the state has not changed: its status, RAG, % complete,
    next steps and revised date (with its reason) are copied from no_change_baseline,
    and `commentary` is the reason, which is required. Leave those fields out (empty);
    a value that differs from the baseline's is refused rather than silently replaced.
    """
    candidate, copy_errors = _candidate(
        action=action,
        quarter=quarter,
        status=status,
        rag=rag,
        percent_complete=percent_complete,
        commentary=commentary,
        next_steps=next_steps,
        revised_due_date=revised_due_date,
        revision_reason=revision_reason,
        partner=partner,
        no_change=no_change,
    )
    _validate(candidate, action, quarter, copy_errors)


def no_change_baseline(*, action: Action, partner=None) -> ProgressUpdate | None:
    """The update a "no change" update copies: the state it says has not changed.

    For the whole action, its latest overall update; for one partner, that partner's
    latest partner update, or the latest overall one when it has none (the
    per-partner rule of actionplan.selectors). None when there is nothing to copy.
    """
    if partner is None:
        return action.latest_update
    return selectors.action_state(action, partner=partner).update


# --- Which quarters an update can be for ---------------------------------------

_READ = object()


@dataclass(frozen=True)
class UpdateWindow:
    """The quarters an update to one action can be for now (newest first), or why none can."""

    quarters: tuple[Quarter, ...]
    reason: str = ""

    @property
    def is_open(self) -> bool:
        return bool(self.quarters)

    @property
    def default(self) -> Quarter | None:
        """The reporting quarter when it is open, else the newest open quarter."""
        wanted = clock.reporting_quarter()
        if wanted in self.quarters:
            return wanted
        return self.quarters[0] if self.quarters else None


def update_window(action: Action, *, locked_up_to: Quarter | None | object = _READ) -> UpdateWindow:
    """Which quarters an update to `action` can be for now (see quarter_refusal for the rule).

    Pass `locked_up_to` (selectors.locked_up_to()) when asking for many actions, to
    read the locks once.
    """
    locked = selectors.locked_up_to() if locked_up_to is _READ else locked_up_to
    current = clock.current_quarter()
    quarters = tuple(
        q
        for q in reversed(action.plan.quarters)
        if not quarter_refusal(action, q, current=current, locked=locked)
    )
    if quarters:
        return UpdateWindow(quarters)
    plan_closed = plan_window(action.plan, locked_up_to=locked).reason
    return UpdateWindow((), plan_closed or _starts_later_reason(action))


def plan_window(plan: ActionPlan, *, locked_up_to: Quarter | None | object = _READ) -> UpdateWindow:
    """The quarters an update to an action of `plan` can be for now, before each action's
    own start date narrows them (update_window): "My actions" lists the plans it is open for.
    """
    locked = selectors.locked_up_to() if locked_up_to is _READ else locked_up_to
    current = clock.current_quarter()
    quarters = tuple(q for q in reversed(plan.quarters) if not _plan_refusal(plan, q, current, locked))
    if quarters:
        return UpdateWindow(quarters)
    return UpdateWindow((), _closed_reason(plan, current, locked))


def quarter_refusal(action: Action, quarter: Quarter, *, current: Quarter, locked: Quarter | None) -> str:
    """Why an update to `action` cannot be for `quarter` ("" when it can), when `current`
    is the current quarter and `locked` the latest locked one.

    An update is for a quarter of the action's own plan year (a later year's work is
    a carried-forward action in that year's plan), of an approved plan (a draft can
    still change; a closed plan's record is final), that has started, that has not
    been locked because it was reported to the board, and that does not end before
    the action starts (nothing can have happened on it by then).
    """
    refusal = _plan_refusal(action.plan, quarter, current, locked)
    if refusal:
        return refusal
    if quarter.last_day < action.start_date:
        return f"{quarter.label} ended before this action's start date, {action.start_date:%-d %B %Y}."
    return ""


def _plan_refusal(plan: ActionPlan, quarter: Quarter, current: Quarter, locked: Quarter | None) -> str:
    """The part of quarter_refusal that is the same for every action of `plan`."""
    if plan.status != ActionPlan.Status.APPROVED:
        return _closed_reason(plan, current, locked)
    if quarter.year != plan.year:
        label = plan.year_label
        return f"This action is in the {label} action plan: report on a quarter of {label}."
    if quarter > current:
        return f"{quarter.label} has not started yet."
    if locked is not None and quarter <= locked:
        return f"{quarter.label} is locked because it has been reported to the board."
    return ""


def _closed_reason(plan: ActionPlan, current: Quarter, locked: Quarter | None) -> str:
    """Why no update can be added to an action of `plan` at all."""
    label = plan.year_label
    if plan.status == ActionPlan.Status.DRAFT:
        return f"The {label} action plan is still a draft: updates can be added once it has been approved."
    if plan.status == ActionPlan.Status.CLOSED:
        return f"The {label} action plan is closed: updates can no longer be added."
    first, last = plan.quarters[0], plan.quarters[-1]
    if first > current:
        starts = f"{first.first_day:%-d %B %Y}"
        return f"The {label} action plan starts on {starts}: updates can be added from then."
    if locked is not None and last <= locked:
        return (
            f"Every quarter of the {label} action plan has been reported to the board and locked: "
            "updates can no longer be added."
        )
    # Every started quarter is locked (the current one was reported early): the next one opens.
    following = (locked or current).next()
    return (
        f"{(locked or current).label} and the quarters before it have been reported to the board and "
        f"locked: updates for {following.label} can be added from {following.first_day:%-d %B %Y}."
    )


def _starts_later_reason(action: Action) -> str:
    """Why an action of a plan that takes updates cannot take one yet: every open quarter
    ended before it starts."""
    start = action.start_date
    first = Quarter.containing(start)
    if first.year != action.plan.year:
        return (
            f"This action starts on {start:%-d %B %Y}, outside its {action.plan.year_label} action plan's "
            "year, so no quarter of the plan can take an update: an administrator can correct its dates."
        )
    return (
        f"This action starts on {start:%-d %B %Y}: updates can be added for {first.label} "
        f"from {first.first_day:%-d %B %Y}."
    )


# What a "no change" update copies from the state it says has not changed.
_COPIED_FIELDS = {
    "status": "status",
    "rag": "RAG rating",
    "percent_complete": "percentage complete",
    "next_steps": "next steps",
    "revised_due_date": "revised due date",
    "revision_reason": "reason for the revised due date",
}


def _candidate(
    *,
    action: Action,
    quarter: Quarter | None,
    status: str,
    rag: str,
    percent_complete: int | None,
    commentary: str,
    next_steps: str,
    revised_due_date: datetime.date | None,
    revision_reason: str,
    partner,
    no_change: bool,
) -> tuple[ProgressUpdate, dict[str, str]]:
    """The update as it would be stored, and the errors found making it.

    Text is trimmed; a "no change" update is a copy of its baseline; a completed
    action is blue and 100%.
    """
    update = ProgressUpdate(
        action=action,
        period=quarter.code if quarter else None,
        status=status or "",
        rag=rag or "",
        percent_complete=percent_complete,
        commentary=(commentary or "").strip(),
        next_steps=(next_steps or "").strip(),
        revised_due_date=revised_due_date,
        revision_reason=(revision_reason or "").strip(),
        partner=partner,
        no_change=no_change,
    )
    errors = _copy_baseline(update, no_change_baseline(action=action, partner=partner)) if no_change else {}
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


def rebuild_quarter_states(actions=None, *, chunk_size: int = 2000) -> int:
    """Recompute ActionQuarterState for `actions` (a queryset; default every action). Idempotent.

    actionplan.signals calls this for one action whenever it, its partners or its
    updates change; bulk loads (demo data, benchmarks) call it once afterwards.
    Returns the number of rows written.
    """
    actions = Action.objects.all() if actions is None else actions
    ids = list(actions.order_by("pk").values_list("pk", flat=True))
    written = 0
    with transaction.atomic():
        for start in range(0, len(ids), chunk_size):
            chunk = ids[start : start + chunk_size]
            ActionQuarterState.objects.filter(action_id__in=chunk).delete()
            rows = _quarter_state_rows(chunk)
            ActionQuarterState.objects.bulk_create(rows, batch_size=1000)
            written += len(rows)
    return written


# What a state row needs of an update: the rule's key (selectors.state_key) and the copied figures.
_STATE_FIELDS = ("pk", "action_id", "partner_id", "period", "created_at", "status", "rag", "percent_complete",
                 "revised_due_date")  # fmt: skip


def _quarter_state_rows(action_ids: list[int]) -> list[ActionQuarterState]:
    facts = Action.objects.filter(pk__in=action_ids).values_list(
        "pk", "plan_id", "plan__year", "theme_id", "theme__number", "reference", "due_date"
    )
    served: dict[int, list[int]] = {}
    through = Action.partners.through
    for action_id, partner_id in through.objects.filter(action_id__in=action_ids).values_list(
        "action_id", "partnerauthority_id"
    ):
        served.setdefault(action_id, []).append(partner_id)
    histories: dict[tuple, list] = {}
    updates = ProgressUpdate.objects.filter(action_id__in=action_ids).values_list(*_STATE_FIELDS, named=True)
    for update in updates:
        histories.setdefault((update.action_id, update.partner_id), []).append(update)
    for history in histories.values():
        history.sort(key=selectors.state_key)
    rows = []
    for action_id, plan_id, year, theme_id, theme_number, reference, due_date in facts:
        overall = histories.get((action_id, None), [])
        for quarter in (Quarter(year, n) for n in (1, 2, 3, 4)):
            code, before = quarter.code, quarter.previous().code
            common = {
                "action_id": action_id,
                "plan_id": plan_id,
                "theme_id": theme_id,
                "theme_number": theme_number,
                "reference": reference,
                "period": code,
            }
            state, earlier = _state_at(overall, code), _state_at(overall, before)
            rows.append(_state_row(common, None, state, earlier, due_date))
            for partner_id in served.get(action_id, []):
                own = histories.get((action_id, partner_id), [])
                rows.append(
                    _state_row(
                        common,
                        partner_id,
                        _state_at(own, code) or state,
                        _state_at(own, before) or earlier,
                        due_date,
                    )
                )
    return rows


def _state_at(history: list, code: int):
    """The end-of-quarter rule over one history sorted by selectors.state_key."""
    for update in reversed(history):
        if update.period <= code:
            return update
    return None


def _state_row(common: dict, partner_id, state, earlier, due_date) -> ActionQuarterState:
    """One row from the state update at the quarter's end and the one a quarter before (or None)."""
    if state is None:
        figures = {
            "status": Status.NOT_STARTED,
            "rag": ActionQuarterState.NOT_REPORTED,
            "percent_complete": 0,
        }
        update_id = update_period = None
        state_due = due_date
    else:
        figures = {"status": state.status, "rag": state.rag, "percent_complete": state.percent_complete}
        update_id, update_period = state.pk, state.period
        state_due = state.revised_due_date or due_date
    return ActionQuarterState(
        **common,
        **figures,
        partner_id=partner_id,
        update_id=update_id,
        update_period=update_period,
        due_date=state_due,
        slip_days=(state_due - due_date).days,
        previous_status=earlier.status if earlier else "",
    )


def _same_submission(newest: ProgressUpdate, candidate: ProgressUpdate) -> bool:
    return newest.author_id == candidate.author_id and all(
        getattr(newest, f) == getattr(candidate, f) for f in _COMPARED_FIELDS
    )


def _validate(
    update: ProgressUpdate, action: Action, quarter: Quarter | None, copy_errors: dict[str, str]
) -> None:
    """Every rule an update must meet: one ValidationError naming each field that is wrong.

    `copy_errors` are _candidate's (a "no change" update that could not be made).
    """
    errors: dict[str, str] = dict(copy_errors)
    locked = selectors.locked_up_to()
    window = update_window(action, locked_up_to=locked)
    if not window.is_open:
        errors["quarter"] = window.reason
    elif quarter is None:
        errors["quarter"] = "Choose the quarter you are reporting on."
    elif quarter not in window.quarters:
        refusal = quarter_refusal(action, quarter, current=clock.current_quarter(), locked=locked)
        open_now = ", ".join(q.label for q in reversed(window.quarters))
        errors["quarter"] = f"{refusal} Updates can be added for {open_now}."
    if "no_change" not in errors:
        # (With nothing to copy, the position's answers are missing because of that one problem.)
        _validate_position(update, action, errors)
    if update.partner_id and not action.partners.filter(pk=update.partner_id).exists():
        errors["partner"] = "Choose a partner this action serves."
    if errors:
        raise ValidationError(errors)


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
    """Lock a reported quarter (and so every quarter before it). Idempotent."""
    if user is not None and not access.can_lock_quarters(user):
        raise PermissionDenied("Only administrators can lock quarters.")
    lock, _ = QuarterLock.objects.get_or_create(
        period=quarter.code, defaults={"locked_by": user, "reason": reason}
    )
    return lock
