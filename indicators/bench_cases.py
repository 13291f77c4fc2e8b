"""`make bench` cases for the indicators: the scorecard and an indicator's page, on the demo at
the run's scale (load_demo_data repeats each demo indicator once per copy: 1,700 at scale 100,
with about 80,000 values)."""

from bench.registry import page


def _indicator(ctx):
    """The demo's monthly first-contact resolution: the longest history (45 months)."""
    if "indicator" not in ctx.extra:
        from indicators.models import Indicator

        ctx.extra["indicator"] = Indicator.objects.filter(code="PI 4.1").values_list("pk", flat=True).first()
    return ctx.extra["indicator"]


page("indicators: scorecard", "/indicators/")
page("indicators: scorecard as at a past quarter", "/indicators/?year=2021&quarter=2")
page(
    "indicators: scorecard per partner, red only",
    lambda ctx: f"/indicators/?partner={ctx.partner.slug}&rag=red",
)
page("indicators: an indicator's page", lambda ctx: f"/indicators/{_indicator(ctx)}/")
