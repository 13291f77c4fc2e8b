"""Reads of action state: the one place the end-of-quarter rule lives.

The state of an action at the end of quarter Q is its latest progress update for a
period up to and including Q (latest by period, then by time entered). For one
partner it is that partner's latest partner update, or the overall state when the
partner has none. Dashboards, lists and board reports all call these functions.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce

from actionplan.models import (
    Action,
    ActionPlan,
    ActionQuarterState,
    ProgressUpdate,
    QuarterLock,
    by_reference,
)
from core import clock
from core.quarters import Quarter

if TYPE_CHECKING:
    from actionplan.services import UpdateWindow

Status = ProgressUpdate.Status
Rag = ProgressUpdate.Rag

# Statuses left out of roll-ups (% complete averages, overdue) because the
# action is no longer being delivered in this plan.
EXCLUDED_STATUSES = (Status.CANCELLED, Status.DEFERRED)
CLOSED_STATUSES = (Status.COMPLETED, Status.CANCELLED, Status.DEFERRED)

STATE_ORDER = ("-period", "-created_at", "-id")


def state_key(update) -> tuple:
    """STATE_ORDER as a sort key: the update with the greatest key is the state.

    Takes anything with the update's period, created_at and pk (a model or a
    values_list(named=True) row, as services.rebuild_quarter_states reads them)."""
    return (update.period, update.created_at, update.pk)


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
    """Annotate `state_update_id` on each action (None: not reported by then)."""
    # "Now" overall is the denormalised pointer kept by services.update_create.
    overall = F("latest_update_id") if quarter is None else latest_update_subquery(quarter=quarter)
    searched = overall
    if partner is not None:
        searched = Coalesce(latest_update_subquery(quarter=quarter, partner=partner), overall)
    if quarter is None:
        return actions.annotate(state_update_id=searched)
    # Within the action's plan year the answer is stored in ActionQuarterState.
    rows = ActionQuarterState.objects.filter(action=OuterRef("pk"), period=quarter.code)
    rows = rows.filter(partner__isnull=True) if partner is None else rows.filter(partner=partner)
    stored = Subquery(rows.values("update_id")[:1])
    return actions.annotate(
        state_update_id=Case(
            When(plan__year=quarter.year, then=stored), default=searched, output_field=BigIntegerField()
        )
    )


def picture_period(plan: ActionPlan, quarter: Quarter | None) -> int:
    """The quarter whose ActionQuarterState rows hold `plan`'s picture at `quarter` (None: now).

    The rows cover the plan's own year. Now, and any quarter after the year, is
    the state at the end of its last quarter: updates are only for a quarter of
    the action's plan year, so nothing changes after it. Before the plan's
    year there is no picture (ValueError).
    """
    first, last = plan.quarters[0], plan.quarters[-1]
    if quarter is None or quarter > last:
        return last.code
    if quarter < first:
        raise ValueError(f"The {plan.year_label} plan had not started by the end of {quarter.label}.")
    return quarter.code


def quarter_states(
    plan: ActionPlan, *, quarter: Quarter | None = None, partner=None, theme=None, all_partners: bool = False
) -> QuerySet[ActionQuarterState]:
    """Every action of `plan` as it stood (see picture_period): one row per action.

    With a partner, that partner's own states of the actions serving it; with
    `all_partners`, one row per action and partner served (every partner's states).
    """
    rows = ActionQuarterState.objects.filter(plan=plan, period=picture_period(plan, quarter))
    if partner is not None:
        rows = rows.filter(partner=partner)
    elif all_partners:
        rows = rows.filter(partner__isnull=False)
    else:
        rows = rows.filter(partner__isnull=True)
    if theme is not None:
        rows = rows.filter(theme=theme)
    return rows


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


def _expecting_rows(quarter: Quarter) -> QuerySet[ActionQuarterState]:
    """The state rows, at `quarter`, of the actions that owe an overall update for it.

    In the approved plan of the quarter's financial year (a draft takes no updates yet
    and a closed plan's record is final, so neither owes one), started by the
    quarter's end, and not completed, cancelled or deferred by the end of the
    quarter before. The one place that rule lives.
    """
    still_open = ("", Status.NOT_STARTED, Status.IN_PROGRESS)
    return ActionQuarterState.objects.filter(
        period=quarter.code,
        partner__isnull=True,
        previous_status__in=still_open,
        plan__year=quarter.year,
        plan__status=ActionPlan.Status.APPROVED,
        action__start_date__lte=quarter.last_day,
    )


def actions_expecting_update(
    *, quarter: Quarter, actions: QuerySet[Action] | None = None
) -> QuerySet[Action]:
    """Actions that owe an overall update for `quarter` (see _expecting_rows).

    Annotates `has_update` (an overall update for the quarter exists: then the
    quarter's state is one, since the state is the latest by quarter).
    """
    actions = Action.objects.all() if actions is None else actions
    rows = _expecting_rows(quarter)
    return actions.filter(pk__in=rows.values("action")).annotate(
        has_update=Exists(rows.filter(action=OuterRef("pk"), update_period=quarter.code))
    )


def actions_missing_update(*, quarter: Quarter, actions: QuerySet[Action] | None = None) -> QuerySet[Action]:
    """Actions expecting an overall update for `quarter` that have none yet."""
    return actions_expecting_update(quarter=quarter, actions=actions).filter(has_update=False)


def update_returns(*, quarter: Quarter, strategy=None, lead_officer=None) -> tuple[int, int]:
    """(received, expected) overall updates for `quarter`, in one query on the state table.

    Optionally only `strategy`'s actions, and only those `lead_officer` leads.
    """
    rows = _expecting_rows(quarter)
    if strategy is not None:
        rows = rows.filter(plan__strategy=strategy)
    if lead_officer is not None:
        rows = rows.filter(action__lead_officer=lead_officer)
    totals = rows.aggregate(
        expected=Count("action"), received=Count("action", filter=Q(update_period=quarter.code))
    )
    return totals["received"], totals["expected"]


@dataclass(frozen=True)
class LedAction:
    """One of an officer's actions, the quarters it takes updates for, and whether the
    reporting quarter's update is still due."""

    state: ActionState
    reported: bool
    last_updated_at: datetime.datetime | None
    window: UpdateWindow
    quarter: Quarter

    @property
    def quarter_open(self) -> bool:
        """The reporting quarter is one this action can take an update for now."""
        return self.quarter in self.window.quarters

    @property
    def update_due(self) -> bool:
        return self.quarter_open and not self.reported and self.state.status not in CLOSED_STATUSES


@dataclass(frozen=True)
class LedActions:
    """What "My actions" shows: an officer's actions in the plans taking updates now."""

    rows: list[LedAction]
    plans: list[ActionPlan]
    quarter: Quarter
    # Why the officer's actions in this financial year's plan are not listed, when they are not.
    not_listed: list[str]

    @property
    def due_count(self) -> int:
        return sum(row.update_due for row in self.rows)

    @property
    def quarter_open(self) -> bool:
        """The reporting quarter takes updates for at least one of the rows."""
        return any(row.quarter_open for row in self.rows)

    @property
    def plans_label(self) -> str:
        """The plan years listed: "2022/23", or "2022/23 and 2023/24"."""
        labels = list(dict.fromkeys(plan.year_label for plan in self.plans))
        if len(labels) <= 1:
            return "".join(labels)
        return ", ".join(labels[:-1]) + " and " + labels[-1]


def led_actions(user, *, quarter: Quarter) -> LedActions:
    """The actions `user` leads in the plans that take updates now; those due an update
    for `quarter` (the reporting quarter) first.

    A plan is listed when an update can be added to its actions now (services.plan_window:
    approved, a started quarter of its year not locked), so in April last year's plan is
    listed while its Q4 is open, beside this year's once it is approved. When none is, this
    financial year's plan is listed, every row closed with its reason. An update is due
    where `quarter` is open for that action (services.update_window) and it has no overall
    update for `quarter` or later (a partner update does not count, as for the reminders),
    and is not completed, cancelled or deferred.
    """
    # Which quarters are open is services' rule (services itself reads through this module).
    from actionplan import services

    locked = locked_up_to()
    this_year = clock.current_financial_year()
    # Filtered before annotating, the count is of this officer's actions only.
    plans = ActionPlan.objects.filter(actions__lead_officer=user).annotate(led=Count("actions"))
    plans = list(plans.order_by("year", "pk"))
    windows = {plan.pk: services.plan_window(plan, locked_up_to=locked) for plan in plans}
    listed = [plan for plan in plans if windows[plan.pk].is_open] or [p for p in plans if p.year == this_year]
    updates = ProgressUpdate.objects.filter(action=OuterRef("pk"))
    actions = (
        Action.objects.filter(lead_officer=user, plan__in=listed)
        .select_related("theme", "plan", "latest_update")
        .annotate(
            reported=Exists(updates.filter(period__gte=quarter.code, partner__isnull=True)),
            last_updated_at=Subquery(updates.order_by("-created_at", "-id").values("created_at")[:1]),
        )
        .order_by("plan__year", "theme__number", *by_reference(), "pk")
    )
    today = clock.today()
    rows = [
        LedAction(
            ActionState(a, a.latest_update, today),
            a.reported,
            a.last_updated_at,
            services.update_window(a, locked_up_to=locked),
            quarter,
        )
        for a in actions
    ]
    rows.sort(key=lambda row: (not row.update_due, row.state.status in CLOSED_STATUSES))
    not_listed = [
        _not_listed_reason(plan, windows[plan.pk].reason)
        for plan in plans
        if plan.year == this_year and plan not in listed
    ]
    return LedActions(rows, listed, quarter, not_listed)


def _not_listed_reason(plan: ActionPlan, reason: str) -> str:
    count, them = (f"{plan.led} actions", "them") if plan.led != 1 else ("action", "it")
    return (
        f"Your {count} in the {plan.year_label} action plan will be listed here once updates can be "
        f"added to {them}. {reason}"
    )


# --- a fingerprint for caches ---------------------------------------------------


@dataclass(frozen=True)
class DataVersion:
    """`full` changes with any figure; `structure` ignores new updates (for locked quarters)."""

    full: str
    structure: str


def data_version() -> DataVersion:
    """A fingerprint of everything dashboard figures and returns read, in one cheap query.

    Updates are append-only and every admin edit of an action, plan, theme or
    partner adds a history row, so the newest ids change whenever a figure could.
    Bulk loads (demo data, imports) add rows with new ids too. Each MAX is an
    index lookup, so this costs about as much as reading the session.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_version_sql(connection.vendor))
        values = [str(v or 0) for v in cursor.fetchone()]
    return DataVersion(full="-".join(values), structure="-".join(values[1:]))


@functools.cache
def _version_sql(vendor: str) -> str:
    from django.db import connection

    from themes.models import PartnerAuthority, Strategy, Theme

    # The first column must be the updates': DataVersion.structure leaves it out.
    tables = [
        (ProgressUpdate._meta.db_table, "id"),
        (Action._meta.db_table, "id"),
        (Action.partners.through._meta.db_table, "id"),
        (Action.history.model._meta.db_table, "history_id"),
        (ActionPlan.history.model._meta.db_table, "history_id"),
        (Theme.history.model._meta.db_table, "history_id"),
        (PartnerAuthority.history.model._meta.db_table, "history_id"),
        (Strategy.history.model._meta.db_table, "history_id"),
    ]
    qn = connection.ops.quote_name
    return "SELECT " + ", ".join(f"(SELECT MAX({qn(col)}) FROM {qn(table)})" for table, col in tables)
