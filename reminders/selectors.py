"""Reads for reminders: calendars, who is missing an update, who was reminded."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet

from accounts import roles
from actionplan import selectors as action_selectors
from actionplan.models import Action, by_reference
from core import clock
from core.quarters import Quarter
from reminders.calendar import QuarterDates, quarter_dates
from reminders.models import Reminder, ReportingCalendar
from themes import selectors as themes_selectors
from themes.models import Strategy

User = get_user_model()


def active_strategies() -> list[Strategy]:
    """Active strategies, each with its `calendar` (None: the default rules)."""
    # One query (two with a calendar): the summary sits on the cached dashboard.
    strategies = list(
        themes_selectors.active_strategies()
        .select_related("reporting_calendar")
        .prefetch_related("reporting_calendar__deadlines")
    )
    for strategy in strategies:
        strategy.calendar = getattr(strategy, "reporting_calendar", None)
    return strategies


def current_strategy() -> Strategy | None:
    """The strategy the portal's pages speak about: the newest active one."""
    strategies = active_strategies()
    return strategies[0] if strategies else None


def dates_for(strategy: Strategy, quarter: Quarter) -> QuarterDates:
    calendar = getattr(strategy, "calendar", None)
    if calendar is None and not hasattr(strategy, "calendar"):
        calendar = ReportingCalendar.objects.filter(strategy=strategy).first()
    return quarter_dates(quarter, calendar)


def strategy_actions(strategy: Strategy) -> QuerySet[Action]:
    return Action.objects.filter(plan__strategy=strategy)


def missing_updates(strategy: Strategy, quarter: Quarter, *, officer=None) -> QuerySet[Action]:
    """Actions of `strategy` still owing their overall update for `quarter`."""
    actions = strategy_actions(strategy)
    if officer is not None:
        actions = actions.filter(lead_officer=officer)
    return (
        action_selectors.actions_missing_update(quarter=quarter, actions=actions)
        .select_related("lead_officer", "theme")
        .order_by("lead_officer__first_name", "lead_officer__last_name", "lead_officer_id", *by_reference())
    )


def missing_by_officer(strategy: Strategy, quarter: Quarter) -> list[tuple]:
    """[(officer, [actions])] for every officer with a missing update, by name."""
    grouped: dict[int, tuple] = {}
    for action in missing_updates(strategy, quarter):
        grouped.setdefault(action.lead_officer_id, (action.lead_officer, []))[1].append(action)
    return list(grouped.values())


def administrators() -> QuerySet:
    """Active administrators with an e-mail address: who receives escalations."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=roles.ADMINISTRATOR))
        .exclude(email="")
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def reminders_for(user) -> QuerySet[Reminder]:
    return (
        Reminder.objects.filter(recipient=user)
        .select_related("strategy", "requested_by")
        .prefetch_related(Prefetch("actions", queryset=Action.objects.order_by(*by_reference())))
    )


def latest_reminders(strategy: Strategy, quarter: Quarter) -> dict[int, Reminder]:
    """The newest reminder of the quarter to each recipient, by recipient id."""
    latest: dict[int, Reminder] = {}
    for reminder in Reminder.objects.filter(strategy=strategy, period=quarter.code).order_by(
        "created_at", "id"
    ):
        latest[reminder.recipient_id] = reminder
    return latest


@dataclass(frozen=True)
class CalendarSummary:
    """One line for the dashboard and "My actions": when updates are due, how many are in."""

    strategy: Strategy
    dates: QuarterDates
    received: int
    expected: int
    today: datetime.date

    @property
    def quarter(self) -> Quarter:
        return self.dates.quarter

    @property
    def is_past_due(self) -> bool:
        return self.today > self.dates.due_on


def calendar_summary(*, officer=None) -> CalendarSummary | None:
    """The reporting quarter's due date and returns, overall or for one officer's actions."""
    strategy = current_strategy()
    if strategy is None:
        return None
    quarter = clock.reporting_quarter()
    # The counts change only with the action data: kept under its fingerprint, so the
    # line costs a cache read on every page that shows it, not a scan of the plan.
    version = action_selectors.data_version().full
    key = f"update-returns-v1:{version}:{strategy.pk}:{quarter.code}:{officer.pk if officer else 'all'}"
    returns = cache.get(key)
    if returns is None:
        returns = action_selectors.update_returns(quarter=quarter, strategy=strategy, lead_officer=officer)
        cache.set(key, returns, timeout=60 * 60)
    received, expected = returns
    return CalendarSummary(strategy, dates_for(strategy, quarter), received, expected, clock.today())
