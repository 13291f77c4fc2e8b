from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    """Performance indicators: targets, values, RAG against tolerance, direction of travel."""

    name = "indicators"
    verbose_name = "Performance indicators"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from actionplan import selectors
        from dashboard import panels
        from indicators import presenting
        from indicators.models import Indicator, IndicatorTarget, IndicatorValue
        from reporting import sections

        panels.register(presenting.dashboard_panel)
        sections.register("indicators", presenting.report_section)
        # The cached dashboard changes when a value is recorded or an indicator or target is edited.
        for entry in (
            (IndicatorValue, "id"),
            (Indicator.history.model, "history_id"),
            (IndicatorTarget.history.model, "history_id"),
        ):
            if entry not in selectors.VERSIONED:
                selectors.VERSIONED.append(entry)
