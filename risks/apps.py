from django.apps import AppConfig


class RisksConfig(AppConfig):
    """The risk register: 5x5 scores, controls, quarterly reviews, heat map."""

    name = "risks"
    verbose_name = "Risk register"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from actionplan import selectors as action_selectors
        from approvals import kinds
        from dashboard import panels
        from reporting import sections
        from risks import report, sign_off
        from risks.models import ReviewSignOff, Risk, RiskReview, ScoreBand

        kinds.register(sign_off.kind())
        panels.register(report.dashboard_panel)
        sections.register("risks", report.report_section)
        # The cached dashboard (its risk panel) changes when any of these rows does.
        for table in (
            (RiskReview, "id"),
            (ReviewSignOff.history.model, "history_id"),
            (Risk.history.model, "history_id"),
            (ScoreBand.history.model, "history_id"),
        ):
            if table not in action_selectors.VERSIONED:
                action_selectors.VERSIONED.append(table)
