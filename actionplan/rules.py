"""The rules of an action's state: one home that pages, the API, tasks, reports and tests call.

- The end-of-quarter rule: an action's state at the end of quarter Q is its latest
  counted progress update (one needing no sign-off, or approved: counted_q) for a
  period up to and including Q, latest by period, then time
  entered, then id (STATE_ORDER, state_key, state_at). For one partner it is that
  partner's latest partner update, else the overall state. actionplan.derived stores
  the answer for every action and quarter (ActionQuarterState); everything reads it
  from there.
- Which statuses are closed (no longer delivered) and which leave the % complete
  averages (EXCLUDED_STATUSES).
- RAG: the order of severity (worst first), the display order and "not reported".
- Overdue: still being delivered and its due date (the revised date, else the
  original) before the day it is judged on, as Python and as query expressions.
- Due an update: which actions owe an overall update for a quarter, and when it is
  received (owes_update_q, received_q).
- The roll-up across partners (roll_up): an action serving several councils counts
  once, at the worst of its councils' states.

Nothing here reads the database; selectors and figures apply these expressions.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When

from actionplan.models import ActionPlan, ProgressUpdate

Status = ProgressUpdate.Status
Rag = ProgressUpdate.Rag

# --- statuses ----------------------------------------------------------------

# No longer being delivered in this plan: never overdue, never owes an update.
CLOSED_STATUSES: tuple[str, ...] = (Status.COMPLETED.value, Status.CANCELLED.value, Status.DEFERRED.value)
# Left out of % complete averages: the action is not being delivered in this plan at all.
EXCLUDED_STATUSES: tuple[str, ...] = (Status.CANCELLED.value, Status.DEFERRED.value)
STATUS_KEYS: tuple[str, ...] = tuple(Status.values)
STATUS_LABELS: dict[str, str] = dict(Status.choices)

# --- RAG ---------------------------------------------------------------------

# An action with no update yet: its RAG in state rows, figures, filters and links.
NOT_REPORTED = "not_reported"
NOT_REPORTED_LABEL = "Not yet reported"
# Worst first: what needs attention, then silent, then done. The one order of severity.
RAG_SEVERITY_ORDER: tuple[str, ...] = (
    Rag.RED.value,
    Rag.AMBER.value,
    Rag.GREEN.value,
    NOT_REPORTED,
    Rag.BLUE.value,
)
# Tables and charts list the ratings first, then the silent ones last.
RAG_KEYS: tuple[str, ...] = (Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value, Rag.BLUE.value, NOT_REPORTED)
RAG_LABELS: dict[str, str] = {
    Rag.RED.value: "Red",
    Rag.AMBER.value: "Amber",
    Rag.GREEN.value: "Green",
    Rag.BLUE.value: "Blue (completed)",
    NOT_REPORTED: NOT_REPORTED_LABEL,
}


def rag_rank(rag: str | None) -> int:
    """0 for the worst (red) upwards; None is not reported."""
    return RAG_SEVERITY_ORDER.index(rag or NOT_REPORTED)


def rag_worsened(before: str, now: str) -> bool | None:
    """True if `now` is worse than `before`, False if better, None if the same.

    Only for two ratings (not "not reported"): first reports are not a change of RAG.
    """
    if before == now:
        return None
    return rag_rank(now) < rag_rank(before)


def rag_rank_expression(field: str) -> Case:
    """rag_rank as a query expression on a RAG column (`field`); NULL is not reported."""
    return Case(
        *(When(**{field: rag}, then=Value(rank)) for rank, rag in enumerate(RAG_SEVERITY_ORDER)),
        default=Value(rag_rank(NOT_REPORTED)),
        output_field=IntegerField(),
    )


def rag_label(rag: str | None) -> str:
    return RAG_LABELS[rag or NOT_REPORTED]


# --- sign-off: which updates count ------------------------------------------------

# Where an update stands in sign-off (SignOff). Counted: it needed none, or was approved.
COUNTED, PENDING, RETURNED = "counted", "pending", "returned"
SIGN_OFF_LABELS = {COUNTED: "Counted", PENDING: "Awaiting sign-off", RETURNED: "Returned"}


def sign_off_state(needs_sign_off: bool, decision: str | None) -> str:
    """COUNTED, PENDING or RETURNED, from the update's needs_sign_off and its SignOff's decision."""
    if not needs_sign_off or decision == "approved":
        return COUNTED
    return RETURNED if decision == "returned" else PENDING


def counted_q(prefix: str = "") -> Q:
    """Updates that count in every picture (the end-of-quarter rule reads only these)."""
    return Q(**{f"{prefix}needs_sign_off": False}) | Q(**{f"{prefix}sign_off__decision": "approved"})


def pending_q(prefix: str = "") -> Q:
    """Updates submitted and not yet decided: shown as awaiting sign-off, counted nowhere."""
    return Q(**{f"{prefix}needs_sign_off": True, f"{prefix}sign_off__isnull": True})


# --- the end-of-quarter rule ---------------------------------------------------

# Newest first: the first update in this order, among those for a period up to Q, is the state.
STATE_ORDER = ("-period", "-created_at", "-id")


def state_key(update) -> tuple:
    """STATE_ORDER as a sort key: the update with the greatest key is the state.

    Takes anything with the update's period, created_at and pk (a model or a
    values_list(named=True) row)."""
    return (update.period, update.created_at, update.pk)


def state_at(history: list, code: int):
    """The end-of-quarter rule over one history (one action, one partner or overall),
    sorted by state_key: the state at the end of quarter `code`, or None."""
    for update in reversed(history):
        if update.period <= code:
            return update
    return None


# --- due dates and overdue ----------------------------------------------------


def due_date(original: datetime.date, revised: datetime.date | None) -> datetime.date:
    """The date an action is due by: its state's revised date, else the original."""
    return revised or original


def is_overdue(due: datetime.date, status: str, as_of: datetime.date) -> bool:
    """Overdue: still being delivered and its (revised) due date is before `as_of`.

    `as_of` is today for the live picture ("overdue today") and the quarter's last
    day for a picture at a quarter's end ("overdue at the end of the quarter").
    """
    return status not in CLOSED_STATUSES and due < as_of


def overdue_state_q(as_of: datetime.date, prefix: str = "") -> Q:
    """is_overdue on ActionQuarterState rows (`prefix` reaches them through a relation)."""
    return ~Q(**{f"{prefix}status__in": CLOSED_STATUSES}) & Q(**{f"{prefix}due_date__lt": as_of})


# --- due an update ---------------------------------------------------------------

# The status at the end of the quarter before (blank: no update yet) of an action still
# being delivered: it owes the next quarter's update.
OPEN_STATUSES: tuple[str, ...] = ("", Status.NOT_STARTED.value, Status.IN_PROGRESS.value)


def owes_update_q(quarter) -> Q:
    """ActionQuarterState rows, at `quarter`, of the actions that owe an overall update for it.

    In the approved plan of the quarter's financial year (a draft takes no updates yet
    and a closed plan's record is final), started by the quarter's end, and not
    completed, cancelled or deferred by the end of the quarter before. The one place
    "due an update" is defined: My actions, the reminders, the missing-updates page,
    the calendar line's returns and the demo's checks all filter with it.
    """
    return Q(
        period=quarter.code,
        partner__isnull=True,
        previous_status__in=OPEN_STATUSES,
        plan__year=quarter.year,
        plan__status=ActionPlan.Status.APPROVED,
        action__start_date__lte=quarter.last_day,
    )


def received_q() -> Q:
    """Of owes_update_q's rows: the row's quarter's overall update has been given.

    Received means an overall update for exactly that quarter, submitted (awaiting
    sign-off) or counted, and not returned: a partner update is not the whole action's
    return, and an update for a later quarter does not answer for this one.
    actionplan.derived stores the answer (ActionQuarterState.received, from is_received).
    """
    return Q(received=True)


def is_received(update, code: int) -> bool:
    """is `update` (with partner_id, period and its sign-off state) the whole action's return
    for quarter `code`? See received_q."""
    return update.partner_id is None and update.period == code and update.sign_off != RETURNED


# --- the roll-up across partners ---------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The figures of one state (one council's, or the whole action's): what is counted."""

    status: str
    rag: str  # a RAG rating, or NOT_REPORTED
    percent_complete: int
    due_date: datetime.date


def roll_up(states: list[Figures]) -> Figures:
    """The whole action's figures from its councils' states: the worst of them.

    So the headline never looks better than any council's own picture:
    - a council whose part is cancelled or deferred (EXCLUDED_STATUSES) no longer
      holds the action open, while another council is still delivering it; when
      none is, the action is deferred if any council deferred it, else cancelled;
    - completed only when completed for every council still delivering it; not
      started only when not started for every one; otherwise in progress;
    - the worst RAG (RAG_SEVERITY_ORDER) of those councils, blue only when completed;
    - the lowest % complete of those councils;
    - due on the earliest due date of a council not yet done (so it is overdue when
      any council is), else the latest.
    """
    if not states:
        raise ValueError("roll_up needs at least one state")
    if len(states) == 1:
        return states[0]
    delivering = [s for s in states if s.status not in EXCLUDED_STATUSES]
    if not delivering:
        status = Status.DEFERRED if any(s.status == Status.DEFERRED for s in states) else Status.CANCELLED
        counted = states
    else:
        counted = delivering
        kinds = {s.status for s in delivering}
        if kinds == {Status.COMPLETED.value}:
            status = Status.COMPLETED
        elif kinds == {Status.NOT_STARTED.value}:
            status = Status.NOT_STARTED
        else:
            status = Status.IN_PROGRESS
    if status == Status.COMPLETED:
        rag = Rag.BLUE.value
    else:
        rag = min((s.rag for s in counted if s.rag != Rag.BLUE), key=rag_rank, default=NOT_REPORTED)
    still_open = [s.due_date for s in counted if s.status not in CLOSED_STATUSES]
    due = min(still_open) if still_open else max(s.due_date for s in counted)
    return Figures(
        status=str(status),
        rag=rag,
        percent_complete=min(s.percent_complete for s in counted),
        due_date=due,
    )


def differing(states: list[Figures]) -> bool:
    """Whether the councils' states differ in any figure the roll-up reads."""
    return len(set(states)) > 1
