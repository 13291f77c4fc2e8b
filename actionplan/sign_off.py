"""Sign-off: an approver's queue, and the decisions (approve, or return with a reason).

With a strategy's `updates_need_sign_off` on, a new update is submitted
(ProgressUpdate.needs_sign_off) and counts nowhere until approved: the end-of-quarter
rule reads only counted updates (rules.counted_q; actionplan.derived). An update is
received for the returns as soon as it is submitted (rules.received_q), so its author
is not chased while it waits. Approvers are administrators and the people given a
theme (themes.Theme.approvers); nobody signs off their own update (accounts.access).
A decision is a SignOff row, never changed: a returned update stays in the history,
marked returned, and its author submits a corrected one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from accounts import access
from actionplan import derived, rules, window
from actionplan.models import Action, ProgressUpdate, SignOff
from core import clock
from core.quarters import Quarter

Decision = SignOff.Decision


class AlreadyDecided(Exception):
    """The update was approved or returned already (the API answers 409)."""

    def __init__(self, update: ProgressUpdate):
        super().__init__(f"This update was already {update.sign_off.get_decision_display().lower()}.")
        self.update = update


# --- reads ----------------------------------------------------------------------


def pending(*, theme_ids: set[int] | None = None, quarter: Quarter | None = None):
    """Updates awaiting sign-off (rules.pending_q), optionally of some themes or one quarter."""
    updates = ProgressUpdate.objects.filter(rules.pending_q())
    if theme_ids is not None:
        updates = updates.filter(action__theme_id__in=theme_ids)
    if quarter is not None:
        updates = updates.filter(period=quarter.code)
    return updates


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class QueueItem:
    """One submitted update, what it changes against the last counted state, and whether
    the reader may decide it (not their own)."""

    update: ProgressUpdate
    changes: list[Change]
    own: bool

    @property
    def quarter(self) -> Quarter:
        return self.update.quarter


@dataclass(frozen=True)
class ThemeQueue:
    theme: object
    items: list[QueueItem]

    @property
    def decidable(self) -> int:
        return sum(not item.own for item in self.items)


def queue(user) -> list[ThemeQueue]:
    """What waits for `user`'s sign-off, by theme then action: every update awaiting
    sign-off in the themes they approve, for quarters not yet locked. Their own
    submissions are listed too, marked as someone else's to approve. Three queries."""
    theme_ids = access.approved_theme_ids(user)
    locked = window.locked_up_to()
    updates = pending(theme_ids=theme_ids).select_related(
        "action__theme", "action__plan", "author", "partner"
    )
    if locked is not None:
        updates = updates.filter(period__gt=locked.code)
    updates = list(
        updates.order_by("action__theme__number", "action__reference", "period", "created_at", "id")
    )
    baselines = _baselines(updates)
    themes: dict[int, ThemeQueue] = {}
    for update in updates:
        theme = update.action.theme
        group = themes.setdefault(theme.pk, ThemeQueue(theme, []))
        base = baselines.get(update.pk)
        group.items.append(QueueItem(update, changes(base, update), own=update.author_id == user.pk))
    return list(themes.values())


def _baselines(updates: list[ProgressUpdate]) -> dict[int, ProgressUpdate | None]:
    """Each submitted update's last counted state: the latest counted update of the same
    action and partner (for a partner with none of its own, the whole action's), by the
    end-of-quarter rule's order. One query."""
    if not updates:
        return {}
    counted = ProgressUpdate.objects.filter(rules.counted_q(), action_id__in={u.action_id for u in updates})
    histories: dict[tuple, list] = {}
    for u in counted.order_by("period", "created_at", "id"):
        histories.setdefault((u.action_id, u.partner_id), []).append(u)
    result = {}
    for update in updates:
        own = histories.get((update.action_id, update.partner_id), [])
        overall = histories.get((update.action_id, None), [])
        result[update.pk] = rules.state_at(own, update.period) or rules.state_at(overall, update.period)
    return result


_COMPARED = (
    ("status", "Status", lambda u: u.get_status_display()),
    ("rag", "RAG", lambda u: u.get_rag_display()),
    ("percent_complete", "% complete", lambda u: f"{u.percent_complete}%"),
    (
        "revised_due_date",
        "Revised due date",
        lambda u: f"{u.revised_due_date:%-d %B %Y}" if u.revised_due_date else "None",
    ),
    ("commentary", "Commentary", lambda u: u.commentary or "None"),
    ("next_steps", "Next steps", lambda u: u.next_steps or "None"),
)


def changes(before: ProgressUpdate | None, after: ProgressUpdate) -> list[Change]:
    """What `after` changes against the last counted state (everything, when there is none)."""
    return [
        Change(label, show(before) if before else "Not yet reported", show(after))
        for field, label, show in _COMPARED
        if before is None or getattr(before, field) != getattr(after, field)
    ]


def changes_of(update: ProgressUpdate) -> list[Change]:
    """What one submitted update changes against its last counted state."""
    return changes(_baselines([update]).get(update.pk), update)


def awaiting_count(*, quarter: Quarter, strategy=None) -> int:
    """How many updates for `quarter` await sign-off (the dashboard's and the send page's warning)."""
    updates = pending(quarter=quarter)
    if strategy is not None:
        updates = updates.filter(action__plan__strategy=strategy)
    return updates.count()


# --- writes ---------------------------------------------------------------------


def decision_checked(*, decision: str, reason: str, ids: list[int], key: str, noun: str) -> str:
    """The reason, trimmed, once the decision is one there is, a return has its reason and
    something is chosen (ValidationError otherwise): the first rules of every kind's decide."""
    reason = (reason or "").strip()
    if decision not in Decision.values:
        raise ValidationError({"decision": ['Say "approve" or "return".']})
    if decision == Decision.RETURNED and not reason:
        raise ValidationError({"reason": ["Say why you are returning it, so its author can put it right"]})
    if not ids:
        raise ValidationError({key: [f"Choose at least one {noun}"]})
    return reason


def update_decide(*, user, updates, decision: str, reason: str = "") -> list[SignOff]:
    """Approve, or return with a reason, one or more submitted updates: all or none.

    Refused (nothing decided) when any one is the user's own or outside their themes
    (PermissionDenied), already decided (AlreadyDecided), or, to approve, for a quarter
    already locked: its picture is final (ValidationError; it can still be returned).
    One transaction under the quarter-lock guard the update service takes, a fixed
    number of queries whatever the number of updates, and one refresh of the actions'
    derived state. A returned update's author is told by e-mail once it commits.
    """
    ids = [u.pk for u in updates]
    reason = decision_checked(decision=decision, reason=reason, ids=ids, key="updates", noun="update")
    with transaction.atomic():
        window.lock_guard(exclusive=False)
        chosen = list(
            ProgressUpdate.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("action", "author")
            .order_by("pk")
        )
        decided = dict(SignOff.objects.filter(update_id__in=ids).values_list("update_id", "decision"))
        theme_ids = access.approved_theme_ids(user)
        locked = window.locked_up_to()
        for update in chosen:
            if not update.needs_sign_off:
                raise ValidationError(
                    {"updates": [f"The update on {update.action.reference} needs no sign-off."]}
                )
            if update.pk in decided:
                update.sign_off = SignOff(decision=decided[update.pk])
                raise AlreadyDecided(update)
            if not access.can_sign_off(user, update, theme_ids=theme_ids):
                whose = "your own" if update.author_id == user.pk else "not in a theme you approve"
                raise PermissionDenied(
                    f"The update on {update.action.reference} is {whose}: you cannot sign it off."
                )
            if decision == Decision.APPROVED and locked is not None and update.quarter <= locked:
                raise ValidationError(
                    {"updates": [f"{update.quarter.label} is locked: the update on {update.action.reference} "
                                 "can no longer count. Return it instead."]}
                )  # fmt: skip
        now = clock.now()
        rows = bulk_create_with_history(
            [
                SignOff(update=u, decision=decision, reason=reason, decided_by=user, decided_at=now)
                for u in chosen
            ],
            SignOff,
            default_user=user,
        )
        derived.refresh(Action.objects.filter(pk__in={u.action_id for u in chosen}))
        if decision == Decision.RETURNED:
            transaction.on_commit(lambda: _tell_authors(chosen, reason, user))
    return rows


def _tell_authors(updates: list[ProgressUpdate], reason: str, approver) -> None:
    from core import emails

    for update in updates:
        emails.send(
            "update_returned",
            [emails.address(update.author.display_name, update.author.email)],
            {
                "update": update,
                "action": update.action,
                "reason": reason,
                "approver": approver,
            },
        )
