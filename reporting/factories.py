"""Factories for board reports, and a small quarter of data to report on."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from actionplan.factories import ActionFactory, PlanFactory, UpdateFactory
from actionplan.models import ProgressUpdate
from reporting.models import BoardReport, Recipient
from themes.factories import ThemeFactory

S, R = ProgressUpdate.Status, ProgressUpdate.Rag

THEME_TITLES = [
    "Enabling a modern and flexible workforce",
    "Supporting the delivery of our digital strategies",
    "Resilient solutions",
    "Improving customer support",
    "Information management",
    "Innovation",
]


class RecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recipient
        django_get_or_create = ["email"]

    name = factory.Sequence(lambda n: f"Board Member {n}")
    email = factory.Sequence(lambda n: f"member{n}@board.example.org")
    role = "Board member"


class BoardReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardReport

    period = 20223


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def quarter_story(*, strategy, officer, colleague, partners, year: int = 2022) -> dict:
    """Six themes and a plan whose actions tell a story between Q2 and Q3 of `year`.

    Returns the actions by reference. Q3 state: 1.1 red (was green), 1.2 green
    (was red: recovered), 2.1 completed in Q3, 2.2 amber with a revised date, 3.1
    red since Q2, 4.1 not yet reported and overdue, 5.1 cancelled, 6.1 green but
    its Q3 update only for one partner; 6.2 has a late Q2 update entered after Q3's.
    """
    themes = [ThemeFactory(strategy=strategy, number=n, title=t) for n, t in enumerate(THEME_TITLES, start=1)]
    plan = PlanFactory(strategy=strategy, year=year)
    first, last = datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)
    q2, q3 = year * 10 + 2, year * 10 + 3
    q2_day, q3_day = datetime.date(year, 9, 20), datetime.date(year, 12, 15)

    def action(ref, theme, lead=officer, due=last, serves=partners):
        return ActionFactory(
            plan=plan,
            theme=themes[theme - 1],
            reference=ref,
            title=f"Action {ref} of theme {theme}",
            lead_officer=lead,
            start_date=first,
            due_date=due,
            partners=serves,
        )

    def update(a, period, status, rag, pct, when, note="", **extra):
        return UpdateFactory(
            action=a,
            period=period,
            status=status,
            rag=rag,
            percent_complete=pct,
            commentary=note or f"{a.reference} commentary for {period}",
            next_steps=f"{a.reference} next steps",
            created_at=at(when),
            author=a.lead_officer,
            **extra,
        )

    acts = {}
    acts["1.1"] = a = action("1.1", 1)
    update(a, q2, S.IN_PROGRESS, R.GREEN, 40, q2_day)
    update(a, q3, S.IN_PROGRESS, R.RED, 45, q3_day, "Supplier failed to deliver")
    acts["1.2"] = a = action("1.2", 1, lead=colleague)
    update(a, q2, S.IN_PROGRESS, R.RED, 20, q2_day, "Stalled on funding")
    update(a, q3, S.IN_PROGRESS, R.GREEN, 60, q3_day)
    acts["2.1"] = a = action("2.1", 2)
    update(a, q2, S.IN_PROGRESS, R.GREEN, 80, q2_day)
    update(a, q3, S.COMPLETED, R.BLUE, 100, q3_day)
    acts["2.2"] = a = action("2.2", 2, due=datetime.date(year, 9, 30))
    update(a, q2, S.IN_PROGRESS, R.GREEN, 50, q2_day)
    update(
        a,
        q3,
        S.IN_PROGRESS,
        R.AMBER,
        70,
        q3_day,
        "Waiting for the partners",
        revised_due_date=datetime.date(year + 1, 3, 31),
        revision_reason="Partners asked for more time",
    )
    acts["3.1"] = a = action("3.1", 3, due=datetime.date(year, 12, 31))
    update(a, q2, S.IN_PROGRESS, R.RED, 10, q2_day, "No budget")
    acts["4.1"] = action("4.1", 4, due=datetime.date(year, 6, 30), serves=partners[:1])
    acts["5.1"] = a = action("5.1", 5)
    update(a, q3, S.CANCELLED, R.AMBER, 30, q3_day, "Cancelled by the board")
    acts["6.1"] = a = action("6.1", 6)
    update(a, q2, S.IN_PROGRESS, R.GREEN, 30, q2_day)
    update(a, q3, S.IN_PROGRESS, R.RED, 30, q3_day, "Behind at this partner", partner=partners[-1])
    acts["6.2"] = a = action("6.2", 6, lead=colleague)
    update(a, q3, S.IN_PROGRESS, R.GREEN, 90, q3_day)
    update(a, q2, S.IN_PROGRESS, R.RED, 10, q3_day + datetime.timedelta(days=2), "Late Q2 update")
    return acts
