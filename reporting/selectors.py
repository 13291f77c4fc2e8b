"""Reads for board reports: what a quarter's report says, and the report lists.

Every figure comes from the dashboard's roll-ups (see reporting.figures), so the
report and the dashboard can never disagree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from actionplan import selectors as action_selectors
from actionplan.models import Action, ActionPlan, QuarterLock, by_reference
from core.quarters import Quarter
from reporting import figures, sections
from reporting.models import BoardReport, Delivery, Recipient
from themes.models import PartnerAuthority, Strategy

CLASSIFICATION = "OFFICIAL"


@dataclass(frozen=True)
class ThemeSection:
    theme: figures.rollups.ThemeTally
    states: list
    summary: figures.Tally


@dataclass(frozen=True)
class ReportContent:
    strategy: Strategy
    plan: ActionPlan | None
    quarter: Quarter
    report_date: datetime.date
    summary: figures.Tally
    changes: figures.Changes | None
    themes: list[ThemeSection]
    exceptions: list
    overdue: list
    slipped: list
    partners: list
    trend: list = ()
    classification: str = CLASSIFICATION
    returns: Returns | None = None
    # Other apps' sections (reporting.sections), by name: content.sections.indicators.
    sections: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.strategy.title}: progress report {self.quarter.label}"

    @property
    def completed(self) -> int:
        return figures.completed(self.summary)


def report_date(*, period: int, requested_at: datetime.datetime) -> datetime.date:
    """The date printed on a report.

    A locked quarter's report carries the lock's date, so every rebuild of it says
    the same; an unlocked quarter's carries the date it was asked for. Never
    "now": that would make two builds of the same data differ.
    """
    lock = QuarterLock.objects.filter(period__gte=period).order_by("period").first()
    return timezone.localdate(lock.locked_at if lock else requested_at)


def plan_actions(plan: ActionPlan) -> QuerySet[Action]:
    return (
        Action.objects.filter(plan=plan)
        .select_related("theme", "lead_officer")
        .prefetch_related(Prefetch("partners", queryset=PartnerAuthority.objects.order_by("short_name")))
        .order_by("theme__number", *by_reference(), "pk")
    )


def report_content(*, strategy: Strategy, quarter: Quarter, report_date: datetime.date) -> ReportContent:
    """Everything the report shows for one strategy's quarter: the plan of that financial year."""
    plan = ActionPlan.objects.filter(strategy=strategy, year=quarter.year).first()
    if plan is None:
        return _empty_content(strategy, quarter, report_date)
    rollup = figures.rollup_for(plan, quarter)
    actions = plan_actions(plan)
    states = figures.states_at(actions, quarter=quarter)
    by_id = {s.action.pk: s for s in states}
    previous = {s.action.pk: s for s in figures.states_at(actions, quarter=quarter.previous())}
    by_theme: dict[int, list] = {}
    for state in states:
        by_theme.setdefault(state.action.theme_id, []).append(state)
    return ReportContent(
        strategy=strategy,
        plan=plan,
        quarter=quarter,
        report_date=report_date,
        summary=rollup.totals,
        changes=figures.changes(rollup, by_id, previous),
        themes=[ThemeSection(t, by_theme.get(t.theme_id, []), t.tally) for t in rollup.themes],
        exceptions=figures.name_councils(figures.exceptions(states), "rag", quarter=quarter),
        overdue=figures.name_councils(
            [by_id[ln.action_id] for ln in rollup.overdue], "overdue", quarter=quarter
        ),
        slipped=figures.name_councils(
            [by_id[ln.action_id] for ln in rollup.slippage], "slipped", quarter=quarter
        ),
        partners=[p for p in rollup.partners if p.tally.total],
        trend=rollup.trend,
        returns=_returns(plan, quarter),
        sections=sections.build_all(strategy=strategy, quarter=quarter),
    )


@dataclass(frozen=True)
class Returns:
    """The quarter's overall updates: how many were owed and came, and which did not."""

    received: int
    expected: int
    missing: list  # the actions (with their lead officers) whose update did not come
    locked: bool  # the quarter is locked: the missing ones are missed

    @property
    def missing_count(self) -> int:
        return self.expected - self.received


def _returns(plan: ActionPlan, quarter: Quarter) -> Returns:
    from actionplan import window

    received, expected = action_selectors.update_returns(quarter=quarter, strategy=plan.strategy)
    missing = action_selectors.actions_missing_update(quarter=quarter, actions=plan.actions.all())
    missing = missing.select_related("lead_officer", "theme").order_by("theme__number", *by_reference())
    return Returns(received, expected, list(missing), window.is_quarter_locked(quarter))


def _empty_content(strategy, quarter, report_date) -> ReportContent:
    themes = [
        ThemeSection(
            figures.rollups.ThemeTally(t.pk, t.number, t.title, figures.Tally()), [], figures.Tally()
        )
        for t in strategy.themes.order_by("number")
    ]
    return ReportContent(
        strategy=strategy,
        plan=None,
        quarter=quarter,
        report_date=report_date,
        summary=figures.Tally(),
        changes=None,
        themes=themes,
        exceptions=[],
        overdue=[],
        slipped=[],
        partners=[],
        sections=sections.build_all(strategy=strategy, quarter=quarter),
    )


def content_for(report: BoardReport) -> ReportContent:
    return report_content(
        strategy=report.strategy,
        quarter=report.quarter,
        report_date=report_date(period=report.period, requested_at=report.requested_at),
    )


def report_list() -> QuerySet[BoardReport]:
    return BoardReport.objects.select_related(
        "strategy", "requested_by", "sent_by", "superseded_by"
    ).prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("name")))


def active_recipients() -> QuerySet[Recipient]:
    return Recipient.objects.filter(is_active=True).order_by("name")


def reportable_quarters(strategy: Strategy, *, up_to: Quarter) -> list[Quarter]:
    """The quarters of the strategy up to `up_to` (the current quarter: never a future one),
    newest first."""
    return list(reversed(strategy.quarters(up_to=up_to)))


@dataclass(frozen=True)
class SendChecklist:
    """What an administrator checks before sending a report: who gets it, what is missing."""

    report: BoardReport
    recipients: list
    received: int
    expected: int
    missing_by_officer: list  # [(officer, [actions])], by officer's name
    # Updates for the quarter still awaiting sign-off: not in the report, and once the
    # quarter is locked they can never count.
    awaiting_sign_off: list = ()
    # Other kinds' records for the quarter awaiting sign-off (approvals.kinds: risk reviews...).
    other_awaiting: list = ()

    @property
    def quarter(self) -> Quarter:
        return self.report.quarter

    @property
    def missing(self) -> int:
        return self.expected - self.received


def send_checklist(report: BoardReport) -> SendChecklist:
    """The send page's facts. Who owes an update is actionplan's rule, read through the
    reminders' grouping by officer (the missing-updates page's own list)."""
    from actionplan import sign_off
    from approvals import kinds as approval_kinds
    from reminders import selectors as reminder_selectors

    received, expected = action_selectors.update_returns(quarter=report.quarter, strategy=report.strategy)
    return SendChecklist(
        report=report,
        recipients=list(active_recipients()),
        received=received,
        expected=expected,
        missing_by_officer=reminder_selectors.missing_by_officer(report.strategy, report.quarter),
        awaiting_sign_off=list(
            sign_off.pending(quarter=report.quarter)
            .filter(action__plan__strategy=report.strategy)
            .select_related("action", "author", "partner")
            .order_by("action__theme__number", "action__reference", "id")
        ),
        other_awaiting=approval_kinds.awaiting(strategy=report.strategy, quarter=report.quarter),
    )
