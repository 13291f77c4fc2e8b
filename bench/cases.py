"""The portal's own cases: the dashboard views, the action pages and the baseline."""

from django.core.cache import cache

from bench.registry import page


def _officer_updates(ctx):
    """An officer's update through the service: the data changes, so every figure is recomputed.

    Unlike clearing the cache, the trend points of locked quarters stay cached,
    as they do in service (a new update cannot change a locked quarter).
    """
    from actionplan import services
    from core import clock

    action = ctx.action
    n = ctx.extra["updates_posted"] = ctx.extra.get("updates_posted", 0) + 1
    services.update_create(
        action=action,
        author=action.lead_officer,
        draft=services.UpdateDraft(
            quarter=clock.reporting_quarter(),
            status="in_progress",
            rag="green",
            percent_complete=n % 100,
            commentary=f"Benchmark update {n}.",
        ),
        check_version=False,
    )


# A signed-in page with nothing on it but the layout: what every page costs anyway.
page("baseline: signed-in static page", "/accessibility/", baseline=True)
page("dashboard", lambda ctx: f"/?year={ctx.plan.year}")
page("dashboard as at a past quarter", lambda ctx: f"/?year={ctx.plan.year}&as_at={ctx.plan.year}2")
page("dashboard per partner", lambda ctx: f"/?year={ctx.plan.year}&partner={ctx.partner.slug}")
page("dashboard per partner as at", lambda ctx: f"/?partner={ctx.partner.slug}&as_at={ctx.plan.year}2")
page("dashboard filtered by theme", lambda ctx: f"/?year={ctx.plan.year}&theme=3")
# The figures computed afresh each time, as after an officer's update.
page(
    "dashboard, figures not cached",
    lambda ctx: f"/?year={ctx.plan.year}",
    runs=15,
    before_each=lambda ctx: cache.clear(),
)
page(
    "dashboard as at, figures not cached",
    lambda ctx: f"/?year={ctx.plan.year}&as_at={ctx.plan.year}2",
    runs=15,
    before_each=lambda ctx: cache.clear(),
)
page(
    "dashboard after an officer's update",
    lambda ctx: f"/?year={ctx.plan.year}",
    runs=15,
    before_each=_officer_updates,
)
page("action list", lambda ctx: f"/actions/?year={ctx.plan.year}")
page("action page", lambda ctx: f"/actions/{ctx.action.pk}/")
