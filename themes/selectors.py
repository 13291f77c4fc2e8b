"""Reads of strategies: which one the portal's pages, reports and reminders speak about."""

from __future__ import annotations

from django.db.models import QuerySet

from themes.models import Strategy


def active_strategies() -> QuerySet[Strategy]:
    """Active strategies, newest first."""
    return Strategy.objects.filter(status=Strategy.Status.ACTIVE).order_by("-first_year", "pk")


def active_strategy() -> Strategy | None:
    """The strategy the portal speaks about: the newest active one (None: none is active)."""
    return active_strategies().first()
