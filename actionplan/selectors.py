"""Reads of action state: the one place the end-of-quarter rule lives.

The state of an action at the end of quarter Q is its latest progress update for a
period up to and including Q (latest by period, then by time entered). For one
partner it is that partner's latest partner update, or the overall state when the
partner has none. Dashboards, lists and board reports all call these functions.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import BigIntegerField, Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from actionplan.models import Action, ActionPlan, ActionQuarterState, ProgressUpdate, QuarterLock
from core import clock
from core.quarters import Quarter

Status = ProgressUpdate.Status
Rag = ProgressUpdate.Rag

# Statuses left out of roll-ups (% complete averages, overdue) because the
# action is no longer being delivered in this plan.
EXCLUDED_STATUSES = (Status.CANCELLED, Status.DEFERRED)
CLOSED_STATUSES = (Status.COMPLETED, Status.CANCELLED, Status.DEFERRED)

STATE_ORDER = ("-period", "-created_at", "-id")


def state_key(update: ProgressUpdate) -> tuple:
    """STATE_ORDER as a sort key: the update with the greatest key is the state."""
    return (update.period, update.created_at, update.pk)


def state_horizon(strategy) -> Quarter:
    """The last quarter ActionQuarterState holds rows for: the strategy's last quarter.

    Past it (a strategy extended after the fact, a far-future question) the selectors
    fall back to the latest-update subquery, which needs no table.
    """
    return Quarter(strategy.last_year, 4)


def latest_update_subquery(*, quarter: Quarter | None = None, partner=None, outer="pk"):
    """Subquery giving the id of an action's state update (see module docstring)."""
    updates = ProgressUpdate.objects.filter(action=OuterRef(outer))
    if quarter is not None:
        updates = updates.filter(period__lte=quarter.code)
    if partner is None:
        updates = updates.filter(partner__isnull=True)
    else:
        updates = updates.filter(partner=partner)
    return Subquery(updates.order_by(*STATE_ORDER).values("id")[:1])


def with_state_update_id(
    actions: QuerySet[Action], *, quarter: Quarter | None = None, partner=None
) -> QuerySet[Action]:
    """Annotate `state_update_id` on each action."""
    if quarter is None and partner is None:
        # "Now": the denormalised pointer kept by services.update_create.
        from django.db.models import F

        return actions.annotate(state_update_id=F("latest_update_id"))
    overall = _state_at(quarter)
    if partner is None:
        return actions.annotate(state_update_id=overall)
    return actions.annotate(state_update_id=Coalesce(_state_at(quarter, partner), overall))


def _state_at(quarter: Quarter | None, partner=None):
    """The state update id of the outer action: from ActionQuarterState within its horizon."""
    searched = latest_update_subquery(quarter=quarter, partner=partner)
    if quarter is None:
        return searched
    rows = ActionQuarterState.objects.filter(action=OuterRef("pk"), period=quarter.code)
    rows = rows.filter(partner__isnull=True) if partner is None else rows.filter(partner=partner)
    stored = Subquery(rows.values("update_id")[:1])
    # The horizon (state_horizon) as a condition on each action's own strategy.
    return Case(
        When(plan__strategy__last_year__gte=quarter.year, then=stored),
        default=searched,
        output_field=BigIntegerField(),
    )


def state_updates(
    actions: QuerySet[Action], *, strategy, quarter: Quarter | None = None, partner=None
) -> QuerySet[ProgressUpdate]:
    """The updates that are the states of `actions` (of `strategy`), at most one per action.

    For a quarter within the strategy's horizon and no partner this is a join
    through ActionQuarterState; otherwise the ids from with_state_update_id.
    """
    if quarter is None or partner is not None or quarter > state_horizon(strategy):
        ids = with_state_update_id(actions, quarter=quarter, partner=partner).values("state_update_id")
        return ProgressUpdate.objects.filter(pk__in=ids)
    return ProgressUpdate.objects.filter(
        quarter_states__period=quarter.code,
        quarter_states__partner__isnull=True,
        quarter_states__action__in=actions.values("pk"),
    )


def quarter_rag_counts(
    actions: QuerySet[Action], quarters: list[Quarter], *, own_plan_year: bool = False
) -> dict[tuple[int, str], int]:
    """{(period, rag): how many of `actions` stood at that RAG at each quarter's end}, one query.

    With `own_plan_year`, each quarter counts only the actions of its financial
    year's plan. Only for quarters within the actions' strategy's horizon
    (state_horizon); actions never reported are not counted.
    """
    # One query per plan year: each reads only that plan's actions' rows.
    by_year: dict[int, list[int]] = {}
    for q in quarters:
        by_year.setdefault(q.year if own_plan_year else 0, []).append(q.code)
    rows = []
    for year, codes in by_year.items():
        wanted = ActionQuarterState.objects.filter(
            period__in=codes, partner__isnull=True, action__in=actions.values("pk")
        )
        if own_plan_year:
            wanted = wanted.filter(action__plan__year=year)
        rows += wanted.values("period", "update__rag").annotate(n=Count("pk")).order_by()
    counts: dict[tuple[int, str], int] = {}
    for row in rows:
        key = (row["period"], row["update__rag"])
        counts[key] = counts.get(key, 0) + row["n"]
    return counts


@dataclass(frozen=True)
class ActionState:
    """Where one action stood at a moment: now, or the end of a quarter."""

    action: Action
    update: ProgressUpdate | None
    as_of: datetime.date

    @property
    def status(self) -> str:
        return self.update.status if self.update else Status.NOT_STARTED

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def rag(self) -> str | None:
        return self.update.rag if self.update else None

    @property
    def rag_label(self) -> str:
        return Rag(self.rag).label if self.rag else "Not yet reported"

    @property
    def percent_complete(self) -> int:
        return self.update.percent_complete if self.update else 0

    @property
    def due_date(self) -> datetime.date:
        if self.update and self.update.revised_due_date:
            return self.update.revised_due_date
        return self.action.due_date

    @property
    def slipped_days(self) -> int:
        return (self.due_date - self.action.due_date).days

    @property
    def is_overdue(self) -> bool:
        return is_overdue(self.due_date, self.status, self.as_of)


def is_overdue(due_date: datetime.date, status: str, as_of: datetime.date) -> bool:
    """Overdue: still being delivered and its (revised) due date has passed."""
    return status not in CLOSED_STATUSES and due_date < as_of


def overdue_q(as_of: datetime.date) -> Q:
    """`is_overdue` for an Action queryset, on its current state (latest_update).

    An action with no update is not started, so it is overdue on its original date.
    """
    still_open = Q(latest_update__isnull=True) | ~Q(latest_update__status__in=CLOSED_STATUSES)
    revised = Q(latest_update__revised_due_date__isnull=False)
    late = (revised & Q(latest_update__revised_due_date__lt=as_of)) | (~revised & Q(due_date__lt=as_of))
    return still_open & late


def action_states(
    actions: QuerySet[Action], *, quarter: Quarter | None = None, partner=None
) -> list[ActionState]:
    """Each action's state, in two queries whatever the number of actions."""
    as_of = quarter.last_day if quarter else clock.today()
    rows = list(with_state_update_id(actions, quarter=quarter, partner=partner))
    ids = [a.state_update_id for a in rows if a.state_update_id]
    updates = ProgressUpdate.objects.in_bulk(ids) if ids else {}
    return [ActionState(a, updates.get(a.state_update_id), as_of) for a in rows]


def action_state(action: Action, *, quarter: Quarter | None = None, partner=None) -> ActionState:
    return action_states(Action.objects.filter(pk=action.pk), quarter=quarter, partner=partner)[0]


def partner_states(action: Action, *, quarter: Quarter | None = None) -> list[tuple]:
    """(partner, state) for each partner the action serves."""
    return [
        (partner, action_state(action, quarter=quarter, partner=partner)) for partner in action.partners.all()
    ]


def newest_update(action: Action) -> ProgressUpdate | None:
    """The most recently entered update of any kind: the version a form was loaded at."""
    return action.updates.order_by("-id").first()


def locked_up_to() -> Quarter | None:
    """The latest locked quarter: it and every quarter before it are closed."""
    period = QuarterLock.objects.order_by("-period").values_list("period", flat=True).first()
    return Quarter.from_code(period) if period else None


def is_quarter_locked(quarter: Quarter) -> bool:
    last = locked_up_to()
    return last is not None and quarter <= last


# Quarterly returns: which actions owe an overall update for a quarter.


def _status_at_end_of(quarter: Quarter):
    updates = ProgressUpdate.objects.filter(
        action=OuterRef("pk"), partner__isnull=True, period__lte=quarter.code
    )
    return Subquery(updates.order_by(*STATE_ORDER).values("status")[:1])


def _has_overall_update_for(quarter: Quarter):
    return Exists(
        ProgressUpdate.objects.filter(action=OuterRef("pk"), partner__isnull=True, period=quarter.code)
    )


def actions_expecting_update(
    *, quarter: Quarter, actions: QuerySet[Action] | None = None
) -> QuerySet[Action]:
    """Actions that owe an overall update for `quarter`.

    In the approved (or closed) plan of the quarter's financial year, started by the
    quarter's end, and not completed, cancelled or deferred by the end of the
    quarter before. Annotates `has_update` (an overall update for the quarter exists).
    """
    actions = Action.objects.all() if actions is None else actions
    still_open = (Status.NOT_STARTED, Status.IN_PROGRESS)
    return (
        actions.filter(plan__year=quarter.year, start_date__lte=quarter.last_day)
        .exclude(plan__status=ActionPlan.Status.DRAFT)
        .annotate(status_before=_status_at_end_of(quarter.previous()))
        .filter(Q(status_before__isnull=True) | Q(status_before__in=still_open))
        .annotate(has_update=_has_overall_update_for(quarter))
    )


def actions_missing_update(*, quarter: Quarter, actions: QuerySet[Action] | None = None) -> QuerySet[Action]:
    """Actions expecting an overall update for `quarter` that have none yet."""
    return actions_expecting_update(quarter=quarter, actions=actions).filter(has_update=False)


def update_returns(*, quarter: Quarter, actions: QuerySet[Action] | None = None) -> tuple[int, int]:
    """(received, expected) overall updates for `quarter`, in one query."""
    totals = actions_expecting_update(quarter=quarter, actions=actions).aggregate(
        expected=Count("pk"), received=Count("pk", filter=Q(has_update=True))
    )
    return totals["received"], totals["expected"]


@dataclass(frozen=True)
class LedAction:
    """One of an officer's actions, and whether this quarter's update is still due."""

    state: ActionState
    reported: bool
    last_updated_at: datetime.datetime | None

    @property
    def update_due(self) -> bool:
        return not self.reported and self.state.status not in CLOSED_STATUSES


def led_actions(user, *, year: int, quarter: Quarter) -> list[LedAction]:
    """The actions `user` leads in plan year `year`; those due an update for `quarter` first.

    An action counts as reported once it has any update for `quarter` or later.
    """
    updates = ProgressUpdate.objects.filter(action=OuterRef("pk"))
    actions = (
        Action.objects.filter(lead_officer=user, plan__year=year)
        .select_related("theme", "plan", "latest_update")
        .annotate(
            reported=Exists(updates.filter(period__gte=quarter.code)),
            last_updated_at=Subquery(updates.order_by("-created_at", "-id").values("created_at")[:1]),
        )
        .order_by("theme__number", "reference", "pk")
    )
    today = clock.today()
    rows = [LedAction(ActionState(a, a.latest_update, today), a.reported, a.last_updated_at) for a in actions]
    return sorted(rows, key=lambda row: (not row.update_due, row.state.status in CLOSED_STATUSES))
