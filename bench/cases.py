"""The portal's own cases: the dashboard views, the action pages and the baseline."""

from django.core.cache import cache

from bench.registry import page

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
page("action list", lambda ctx: f"/actions/?year={ctx.plan.year}")
page("action page", lambda ctx: f"/actions/{ctx.action.pk}/")
