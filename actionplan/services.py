"""Writes to action plans: progress updates and quarter locks.

Views, the API, imports and tasks call these; none writes the models directly.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from actionplan import selectors
from actionplan.models import Action, ActionQuarterState, ProgressUpdate, QuarterLock
from core import access, clock
from core.quarters import Quarter, quarters_between

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
    quarter: Quarter,
    status: str,
    rag: str,
    percent_complete: int,
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

    `seen_update_id` is the newest update the author saw (None if none): if a
    newer one exists the update is refused with UpdateConflict, unless the newer
    one is this author's identical update (a double submit), which is returned.
    """
    if not access.can_update_action(author, action):
        raise PermissionDenied("You can only update actions you lead.")

    commentary, next_steps = commentary.strip(), next_steps.strip()
    revision_reason = revision_reason.strip()
    if status == Status.COMPLETED:
        # Blue shows completed, and a completed action is 100% done.
        rag, percent_complete = Rag.BLUE, 100

    candidate = ProgressUpdate(
        action=action,
        author=author,
        period=quarter.code,
        status=status,
        rag=rag,
        percent_complete=percent_complete,
        commentary=commentary,
        next_steps=next_steps,
        revised_due_date=revised_due_date,
        revision_reason=revision_reason,
        partner=partner,
        no_change=no_change,
        created_at=clock.now(),
    )
    _validate(candidate, action, quarter)

    with transaction.atomic():
        # Serialise writers on this action so the version check below is reliable.
        Action.objects.select_for_update().filter(pk=action.pk).first()
        newest = selectors.newest_update(action)
        if check_version and newest is not None and newest.pk != seen_update_id:
            if _same_submission(newest, candidate):
                return newest
            raise UpdateConflict(newest)
        candidate.full_clean()
        candidate.save()
        record_quarter_states(candidate)
        if partner is None:
            latest = action.updates.filter(partner__isnull=True).order_by(*selectors.STATE_ORDER).first()
            Action.objects.filter(pk=action.pk).update(latest_update=latest)
            action.latest_update = latest
    return candidate


def record_quarter_states(update: ProgressUpdate) -> None:
    """Point the ActionQuarterState rows `update` now wins at it (see selectors.state_key)."""
    strategy = Action.objects.select_related("plan__strategy").get(pk=update.action_id).plan.strategy
    horizon = selectors.state_horizon(strategy)
    if update.period > horizon.code:
        return
    periods = [q.code for q in quarters_between(update.quarter, horizon)]
    rows = ActionQuarterState.objects.filter(
        action_id=update.action_id, partner_id=update.partner_id, period__in=periods
    ).select_related("update")
    have = {row.period: row for row in rows}
    key = selectors.state_key(update)
    beaten = [row.pk for row in have.values() if selectors.state_key(row.update) < key]
    if beaten:
        ActionQuarterState.objects.filter(pk__in=beaten).update(update=update, update_period=update.period)
    ActionQuarterState.objects.bulk_create(
        ActionQuarterState(
            action_id=update.action_id,
            partner_id=update.partner_id,
            period=period,
            update=update,
            update_period=update.period,
        )
        for period in periods
        if period not in have
    )


def rebuild_quarter_states(actions=None, *, batch_size: int = 5000) -> int:
    """Recompute ActionQuarterState from the updates (all actions, or a queryset). Idempotent.

    For bulk loads and repairs: update_create keeps the rows as updates are added.
    """
    actions = Action.objects.all() if actions is None else actions
    from themes.models import Strategy

    strategies = Strategy.objects.in_bulk()
    horizons = {
        pk: selectors.state_horizon(strategies[strategy_id]).code
        for pk, strategy_id in actions.values_list("pk", "plan__strategy_id")
    }
    with transaction.atomic():
        ActionQuarterState.objects.filter(action_id__in=list(horizons)).delete()
        updates = ProgressUpdate.objects.filter(action_id__in=list(horizons))
        rows = []
        histories: dict[tuple, list[ProgressUpdate]] = {}
        for update in updates.only("pk", "action_id", "partner_id", "period", "created_at").iterator():
            histories.setdefault((update.action_id, update.partner_id), []).append(update)
        for (action_id, partner_id), history in histories.items():
            history.sort(key=selectors.state_key)
            horizon = horizons[action_id]
            for update, following in zip(history, [*history[1:], None], strict=True):
                # The state from update's quarter until the next update's quarter.
                until = following.quarter.previous().code if following else horizon
                for quarter in quarters_between(update.quarter, Quarter.from_code(min(until, horizon))):
                    rows.append(
                        ActionQuarterState(
                            action_id=action_id,
                            partner_id=partner_id,
                            period=quarter.code,
                            update_id=update.pk,
                            update_period=update.period,
                        )
                    )
        ActionQuarterState.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


def _same_submission(newest: ProgressUpdate, candidate: ProgressUpdate) -> bool:
    return newest.author_id == candidate.author_id and all(
        getattr(newest, f) == getattr(candidate, f) for f in _COMPARED_FIELDS
    )


def _validate(update: ProgressUpdate, action: Action, quarter: Quarter) -> None:
    errors: dict[str, str] = {}
    if quarter > clock.current_quarter():
        errors["quarter"] = f"{quarter.label} has not started yet."
    elif selectors.is_quarter_locked(quarter):
        errors["quarter"] = (
            f"{quarter.label} is locked because it has been reported to the board. Report on a later quarter."
        )
    if update.status not in Status.values:
        errors["status"] = "Choose a status."
    if update.rag not in Rag.values:
        errors["rag"] = "Choose a RAG rating."
    elif update.rag == Rag.BLUE and update.status != Status.COMPLETED:
        errors["rag"] = "Blue is only for completed actions."
    if not isinstance(update.percent_complete, int) or not 0 <= update.percent_complete <= 100:
        errors["percent_complete"] = "Percent complete must be a whole number from 0 to 100."
    if update.rag in (Rag.AMBER, Rag.RED) and not update.commentary:
        errors["commentary"] = "Enter commentary explaining why the action is amber or red."
    if update.revised_due_date and not update.revision_reason:
        errors["revision_reason"] = "Enter the reason the due date has changed."
    if update.revised_due_date and update.revised_due_date < action.start_date:
        errors["revised_due_date"] = "The revised due date must not be before the start date."
    if update.partner_id and not action.partners.filter(pk=update.partner_id).exists():
        errors["partner"] = "Choose a partner this action serves."
    if errors:
        raise ValidationError(errors)


def quarter_lock(*, quarter: Quarter, user=None, reason: str = "") -> QuarterLock:
    """Lock a reported quarter (and so every quarter before it). Idempotent."""
    if user is not None and not access.can_lock_quarters(user):
        raise PermissionDenied("Only administrators can lock quarters.")
    lock, _ = QuarterLock.objects.get_or_create(
        period=quarter.code, defaults={"locked_by": user, "reason": reason}
    )
    return lock
