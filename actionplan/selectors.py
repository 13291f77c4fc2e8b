"""Reads of action state, from the derived state actionplan.derived keeps.

The end-of-quarter rule is actionplan.rules'; its answer for every action, partner and
quarter of the plan's year is stored in ActionQuarterState, and the current overall
state in Action.latest_update. Everything here reads those: dashboards, lists, the
board report, My actions, the reminders and the returns.
"""

from __future__ import annotations

import datetime
import functools
import operator
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.lookups import Exact, LessThan

from actionplan import rules, window
from actionplan.models import (
    Action,
    ActionPlan,
    ActionQuarterState,
    ProgressUpdate,
    QuarterLock,
    SignOff,
    by_reference,
)
from actionplan.window import UpdateWindow
from core import clock
from core.quarters import Quarter, code_of

Status = ProgressUpdate.Status
Rag = ProgressUpdate.Rag


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


def _picture_period_expression(quarter: Quarter | None):
    """picture_period per action, as a query expression on Action: the period of the row
    holding its state at `quarter`'s end (None: now), NULL before its plan's year."""
    year_end = code_of(F("plan__year"), 4)
    if quarter is None:
        return year_end
    # Lookups as expressions, not keyword When()s: FilteredRelation's condition takes no Q on
    # a relation other than its own.
    return Case(
        When(Exact(F("plan__year"), quarter.year), then=Value(quarter.code)),
        When(LessThan(F("plan__year"), quarter.year), then=year_end),
        default=None,
        output_field=IntegerField(),
    )


# The state row's columns with_state annotates, as state_<name>.
STATE_COLUMNS = (
    "status", "rag", "percent_complete", "due_date", "slip_days", "update_id", "update_period", "period",
    "partners_differ",
)  # fmt: skip


def with_state(
    actions: QuerySet[Action], *, quarter: Quarter | None = None, partner=None
) -> QuerySet[Action]:
    """Annotate each action with its state row (see picture_period) at `quarter`'s end (None:
    now), the whole action's (the roll-up of its councils) or `partner`'s own: `state_status`,
    `state_rag` and the other STATE_COLUMNS. One join, so lists filter and sort on them.

    An action with no row there (its plan year had not started) reads as not reported.
    """
    condition = Q(quarter_states__period=_picture_period_expression(quarter))
    if partner is None:
        condition &= Q(quarter_states__partner__isnull=True)
    else:
        condition &= Q(quarter_states__partner=partner)
    # Filter on these annotations, never on state__...: a second filter() on the
    # relation would join the table again.
    return (
        actions.annotate(state=FilteredRelation("quarter_states", condition=condition))
        .annotate(**{f"state_{name}": F(f"state__{name}") for name in STATE_COLUMNS})
        .select_related("state__update__author")
    )


@dataclass(frozen=True)
class ActionState:
    """Where one action stood at a moment (now, or the end of a quarter), from its state row:
    the whole action's (the worst of its councils, rules.roll_up) or one council's."""

    action: Action
    update: ProgressUpdate | None  # the update the state comes from (the whole action's own)
    as_of: datetime.date
    status: str = Status.NOT_STARTED
    rag_key: str = rules.NOT_REPORTED
    percent_complete: int = 0
    due_date: datetime.date | None = None
    slipped_days: int = 0
    period: int | None = None  # the quarter whose end this is
    update_period: int | None = None
    partners_differ: bool = False
    # Where only some councils make the figure a list shows it for (figures.council_notes).
    councils: str = ""
    councils_reason: str = ""

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS[self.status]

    @property
    def rag(self) -> str | None:
        """The RAG rating; None when not yet reported."""
        return None if self.rag_key == rules.NOT_REPORTED else self.rag_key

    @property
    def rag_label(self) -> str:
        return rules.rag_label(self.rag)

    @property
    def is_overdue(self) -> bool:
        return rules.is_overdue(self.due_date, self.status, self.as_of)

    @property
    def slipped_to(self) -> datetime.date:
        """The due date it slipped to (at the council that slipped most, where they differ)."""
        return self.action.due_date + datetime.timedelta(days=self.slipped_days)

    @property
    def revision_reason(self) -> str:
        return self.councils_reason or (self.update.revision_reason if self.update else "")

    @property
    def carried_from(self) -> Quarter | None:
        """The earlier quarter whose update this state still is (no update for this quarter)."""
        if self.update_period and self.period and self.update_period < self.period:
            return Quarter.from_code(self.update_period)
        return None


def state_of(action: Action, *, as_of: datetime.date) -> ActionState:
    """The state of an action read through with_state (its row and update come with it)."""
    row = getattr(action, "state", None)
    if row is None:
        return ActionState(action, None, as_of, due_date=action.due_date)
    return state_from_row(action, row, as_of=as_of)


def states_of(actions, *, as_of: datetime.date) -> list[ActionState]:
    """state_of for each action read through with_state: no further query."""
    return [state_of(a, as_of=as_of) for a in actions]


def action_states(
    actions: QuerySet[Action], *, quarter: Quarter | None = None, partner=None
) -> list[ActionState]:
    """Each action's state, in two queries whatever the number of actions."""
    as_of = quarter.last_day if quarter else clock.today()
    return states_of(with_state(actions, quarter=quarter, partner=partner), as_of=as_of)


def action_state(action: Action, *, quarter: Quarter | None = None, partner=None) -> ActionState:
    return action_states(Action.objects.filter(pk=action.pk), quarter=quarter, partner=partner)[0]


def partner_states(action: Action, *, quarter: Quarter | None = None) -> list[tuple]:
    """(partner, state) for each partner the action serves, in two queries."""
    as_of = quarter.last_day if quarter else clock.today()
    period = picture_period(action.plan, quarter)
    rows = (
        ActionQuarterState.objects.filter(action=action, period=period, partner__isnull=False)
        .select_related("partner", "update__partner")
        .order_by("partner__name")
    )
    return [(row.partner, state_from_row(action, row, as_of=as_of)) for row in rows]


def state_from_row(action: Action, row: ActionQuarterState, *, as_of: datetime.date) -> ActionState:
    """The state a stored row holds (its update, if wanted, already selected)."""
    return ActionState(
        action,
        row.update if row.update_id else None,
        as_of,
        status=row.status,
        rag_key=row.rag,
        percent_complete=row.percent_complete,
        due_date=row.due_date,
        slipped_days=row.slip_days,
        period=row.period,
        update_period=row.update_period,
        partners_differ=row.partners_differ,
    )


def newest_update(action: Action) -> ProgressUpdate | None:
    """The most recently entered update of any kind: the version a form was loaded at."""
    return action.updates.order_by("-id").first()


# --- quarterly returns: which actions owe an overall update for a quarter ----------


def _owing_rows(quarter: Quarter) -> QuerySet[ActionQuarterState]:
    """The state rows, at `quarter`, of the actions that owe an overall update for it
    (rules.owes_update_q)."""
    return ActionQuarterState.objects.filter(rules.owes_update_q(quarter))


def actions_expecting_update(
    *, quarter: Quarter, actions: QuerySet[Action] | None = None
) -> QuerySet[Action]:
    """Actions that owe an overall update for `quarter` (rules.owes_update_q).

    Annotates `has_update` (rules.received_q: the quarter's overall update is in).
    """
    actions = Action.objects.all() if actions is None else actions
    rows = _owing_rows(quarter)
    return actions.filter(pk__in=rows.values("action")).annotate(
        has_update=Exists(rows.filter(rules.received_q(), action=OuterRef("pk")))
    )


def actions_missing_update(*, quarter: Quarter, actions: QuerySet[Action] | None = None) -> QuerySet[Action]:
    """Actions owing an overall update for `quarter` that have none yet: "due" while the
    quarter is open, "missed" once it is locked (Return.MISSED)."""
    return actions_expecting_update(quarter=quarter, actions=actions).filter(has_update=False)


def update_returns(*, quarter: Quarter, strategy=None, lead_officer=None) -> tuple[int, int]:
    """(received, expected) overall updates for `quarter`, in one query on the state table.

    Optionally only `strategy`'s actions, and only those `lead_officer` leads.
    """
    rows = _owing_rows(quarter)
    if strategy is not None:
        rows = rows.filter(plan__strategy=strategy)
    if lead_officer is not None:
        rows = rows.filter(action__lead_officer=lead_officer)
    totals = rows.aggregate(expected=Count("action"), received=Count("action", filter=rules.received_q()))
    return totals["received"], totals["expected"]


def missed_quarters(action: Action) -> list[Quarter]:
    """The quarters of the action's plan year whose overall update was owed and never came
    before the quarter was locked (Return.MISSED), oldest first."""
    locked = window.locked_up_to()
    quarters = [q for q in action.plan.quarters if locked is not None and q <= locked]
    if not quarters:
        return []
    owing = functools.reduce(operator.or_, (rules.owes_update_q(q) for q in quarters))
    periods = (
        ActionQuarterState.objects.filter(owing, action=action)
        .exclude(rules.received_q())
        .order_by("period")
        .values_list("period", flat=True)
    )
    return [Quarter.from_code(code) for code in periods]


class Return:
    """Where one action's overall update for a quarter stands."""

    DUE = "due"  # owed, not given, and the quarter still open
    RECEIVED = "received"
    MISSED = "missed"  # owed, not given, and the quarter locked: it can no longer come
    NOT_OWED = "not_owed"  # not in an approved plan of that year, not started, or closed before


def return_state(*, owed: bool, received: bool, locked: bool) -> str:
    """The one rule from its three facts (owed: rules.owes_update_q; received: rules.received_q)."""
    if not owed:
        return Return.NOT_OWED
    if received:
        return Return.RECEIVED
    return Return.MISSED if locked else Return.DUE


@dataclass(frozen=True)
class LedAction:
    """One of an officer's actions, the quarters it takes updates for, and where its update
    for the reporting quarter stands (a Return)."""

    state: ActionState
    returned: str
    last_updated_at: datetime.datetime | None
    window: UpdateWindow
    quarter: Quarter
    # Its update for the quarter awaits sign-off (received, not counted yet).
    awaiting_sign_off: bool = False
    # Its latest update for the quarter was returned: the reason, to correct it.
    returned_reason: str = ""

    @property
    def quarter_open(self) -> bool:
        """The reporting quarter is one this action can take an update for now."""
        return self.quarter in self.window.quarters

    @property
    def update_due(self) -> bool:
        return self.returned == Return.DUE

    @property
    def reported(self) -> bool:
        return self.returned == Return.RECEIVED

    @property
    def missed(self) -> bool:
        return self.returned == Return.MISSED


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
    def missed_count(self) -> int:
        return sum(row.missed for row in self.rows)

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

    A plan is listed when an update can be added to its actions now (window.plan_window:
    approved, a started quarter of its year not locked), so in April last year's plan is
    listed while its Q4 is open, beside this year's once it is approved. When none is, this
    financial year's plan is listed, every row closed with its reason. Whether an update
    is due is the returns' rule (return_state), the same the reminders and the
    missing-updates page use.
    """
    locked = window.locked_up_to()
    this_year = clock.current_financial_year()
    # Filtered before annotating, the count is of this officer's actions only.
    plans = ActionPlan.objects.filter(actions__lead_officer=user).annotate(led=Count("actions"))
    plans = list(plans.order_by("year", "pk"))
    windows = {plan.pk: window.plan_window(plan, locked=locked) for plan in plans}
    listed = [plan for plan in plans if windows[plan.pk].is_open] or [p for p in plans if p.year == this_year]
    owing = _owing_rows(quarter).filter(action=OuterRef("pk"))
    updates = ProgressUpdate.objects.filter(action=OuterRef("pk"))
    actions = (
        with_state(Action.objects.filter(lead_officer=user, plan__in=listed))
        .select_related("theme", "plan")
        .annotate(
            owed=Exists(owing),
            received=Exists(owing.filter(rules.received_q())),
            awaiting=Exists(
                ProgressUpdate.objects.filter(
                    rules.pending_q(), action=OuterRef("pk"), partner__isnull=True, period=quarter.code
                )
            ),
            # The quarter's latest overall update's sign-off, when it was returned.
            returned_reason=Subquery(
                updates.filter(partner__isnull=True, period=quarter.code)
                .order_by("-created_at", "-id")
                .filter(sign_off__decision=SignOff.Decision.RETURNED)
                .values("sign_off__reason")[:1]
            ),
            last_updated_at=Subquery(updates.order_by("-created_at", "-id").values("created_at")[:1]),
        )
        .order_by("plan__year", "theme__number", *by_reference(), "pk")
    )
    today = clock.today()
    is_locked = locked is not None and quarter <= locked
    rows = [
        LedAction(
            state_of(a, as_of=today),
            return_state(owed=a.owed, received=a.received, locked=is_locked),
            a.last_updated_at,
            window.update_window(a, locked=locked),
            quarter,
            awaiting_sign_off=a.awaiting,
            returned_reason=a.returned_reason if a.returned_reason and not a.received else "",
        )
        for a in actions
    ]
    rows.sort(key=lambda row: (not row.update_due, row.state.status in rules.CLOSED_STATUSES))
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


# Other apps whose rows a cached page shows (indicators, risks) add (model, id column)
# here from their AppConfig.ready(): read once, by the first fingerprint.
VERSIONED: list[tuple[type, str]] = []


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
        # A quarter locked or reopened changes the returns (missed or due) and which trend
        # points may be reused from the cache.
        (QuarterLock.history.model._meta.db_table, "history_id"),
        # A sign-off decision makes an update count (or not).
        (SignOff.history.model._meta.db_table, "history_id"),
        *((model._meta.db_table, column) for model, column in VERSIONED),
    ]
    qn = connection.ops.quote_name
    return "SELECT " + ", ".join(f"(SELECT MAX({qn(col)}) FROM {qn(table)})" for table, col in tables)
