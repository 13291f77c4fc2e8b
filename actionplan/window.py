"""The update window: which quarters an update to an action can be for now, and why not.

An update is for a quarter of the action's own plan year, of an approved plan, that
has started (updates open on a quarter's first day), that has not been locked because
it was reported to the board, and that does not end before the action starts. The
form, the API, My actions, the reminders and the update service all ask here.
Locks are read here too: locking quarter Q closes Q and every quarter before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from actionplan.models import Action, ActionPlan, QuarterLock
from core import clock
from core.quarters import Quarter


def lock_guard(*, exclusive: bool) -> None:
    """Serialise quarter locks with what they close (updates, sign-off decisions), inside
    the caller's transaction.

    An update checks the locks and is stored under a shared guard; a lock is taken
    under an exclusive one, so it waits for updates being saved and they then see it.
    PostgreSQL: a transaction-level advisory lock. SQLite has one writer at a time:
    an empty write takes the database's write lock before the locks are read.
    """
    if connection.vendor == "postgresql":
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [_LOCK_GUARD_KEY])
    else:
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(QuarterLock._meta.db_table)
            cursor.execute(f"UPDATE {table} SET period = period WHERE 1 = 0")


# Any fixed 64-bit number, the same in every process: "actionplan quarter locks".
_LOCK_GUARD_KEY = 0x51_4C_4F_43_4B


def locked_up_to() -> Quarter | None:
    """The latest locked quarter: it and every quarter before it are closed."""
    period = QuarterLock.objects.order_by("-period").values_list("period", flat=True).first()
    return Quarter.from_code(period) if period else None


def is_quarter_locked(quarter: Quarter) -> bool:
    last = locked_up_to()
    return last is not None and quarter <= last


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


def update_window(action: Action, *, locked: Quarter | None | object = _READ) -> UpdateWindow:
    """Which quarters an update to `action` can be for now (see quarter_refusal for the rule).

    Pass `locked_up_to` (locked_up_to()) when asking for many actions, to
    read the locks once.
    """
    locked = locked_up_to() if locked is _READ else locked
    current = clock.current_quarter()
    quarters = tuple(
        q
        for q in reversed(action.plan.quarters)
        if not quarter_refusal(action, q, current=current, locked=locked)
    )
    if quarters:
        return UpdateWindow(quarters)
    plan_closed = plan_window(action.plan, locked=locked).reason
    return UpdateWindow((), plan_closed or _starts_later_reason(action))


def plan_window(plan: ActionPlan, *, locked: Quarter | None | object = _READ) -> UpdateWindow:
    """The quarters an update to an action of `plan` can be for now, before each action's
    own start date narrows them (update_window): "My actions" lists the plans it is open for.
    """
    locked = locked_up_to() if locked is _READ else locked
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
