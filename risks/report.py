"""The risk register's part of the dashboard and the board report (registered by risks.apps).

Both read the register as at a quarter (risks.selectors.register): only counted reviews
up to the quarter's end. For a locked quarter no review can be added for it or before
it and none can be approved (risks.services, risks.sign_off), so the section of a
rebuilt report is the same, row for row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string

from risks import charts, selectors


@dataclass(frozen=True)
class RiskSection:
    register: selectors.Register
    heat_map: object  # reporting.charts.Chart: the PDF's <img> and its alt text

    @property
    def high(self) -> list:
        return self.register.high

    @property
    def risen(self) -> list:
        """Risen since the quarter before and not already listed as high."""
        return [r for r in self.register.risen if r.band.level != "high"]

    @property
    def lists(self) -> list[tuple[str, list]]:
        return [("High risks", self.high), ("Risks risen since the quarter before", self.risen)]


def report_section(*, strategy, quarter) -> RiskSection | None:
    """The board report's "Risks" section: None when the strategy has no risks on its register."""
    from reporting.charts import Chart

    register = selectors.register(strategy, quarter=quarter)
    if not register.rows:
        return None
    title = f"Heat map of current risk scores at the end of {quarter.label}"
    return RiskSection(
        register, Chart(charts.heat_map(register.heat_rows, chart_id="report-heat-map", title=title))
    )


def dashboard_panel(*, strategy, plan, quarter, partner, theme, request) -> str:
    """High risks, risks outside appetite and risks risen since the quarter before, as at the
    dashboard's quarter (now, when it shows the current picture). Not per partner: risks
    are the shared service's, so the panel says so when a council is chosen."""
    register = selectors.register(strategy, quarter=quarter, light=True)
    if not register.rows:
        return ""
    return render_to_string(
        "risks/dashboard_panel.html",
        {
            "register": register,
            "quarter": quarter,
            "partner": partner,
            "query": f"?quarter={quarter.code}" if quarter else "",
            "join": "&amp;" if quarter else "?",
        },
        request,
    )
