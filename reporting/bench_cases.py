"""`make bench` cases for the board report: a 300-action quarter beside a bare table.

The baseline is WeasyPrint rendering one bare 300-row table with the same columns
and text: what any PDF of that quarter costs. The report (roll-ups, the states,
charts, the template and a tagged PDF/UA) should stay within twice that.
"""

from __future__ import annotations

import datetime
import html
import random

from bench.registry import register

ACTIONS = 300
TITLE = "Benchmark strategy: a 300-action quarter"
QUARTER = 20223
RUNS = 5


def _quarter(ctx):
    """A strategy whose 2022/23 plan has 300 actions with Q2 and Q3 updates (made once)."""
    if "report_strategy" in ctx.extra:
        return ctx.extra["report_strategy"]
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from actionplan.models import Action, ActionPlan, ProgressUpdate
    from reporting.factories import THEME_TITLES
    from themes.models import PartnerAuthority, Strategy, Theme

    strategy, created = Strategy.objects.get_or_create(
        title=TITLE, defaults={"first_year": 2019, "last_year": 2023, "status": Strategy.Status.DRAFT}
    )
    if created:
        with transaction.atomic():
            rng = random.Random(300)
            themes = [
                Theme.objects.create(strategy=strategy, number=n, title=t)
                for n, t in enumerate(THEME_TITLES, 1)
            ]
            plan = ActionPlan.objects.create(strategy=strategy, year=2022, status=ActionPlan.Status.APPROVED)
            lead = User.objects.filter(username="officer").first() or User.objects.first()
            partners = list(PartnerAuthority.objects.all())
            actions = Action.objects.bulk_create(
                Action(
                    plan=plan,
                    theme=themes[i % 6],
                    reference=f"{i % 6 + 1}.{i // 6 + 1}",
                    title=f"Deliver improvement {i + 1} across the partnership's shared services",
                    lead_officer=lead,
                    start_date=datetime.date(2022, 4, 1),
                    due_date=datetime.date(2023, 3, 31) if i % 7 else datetime.date(2022, 9, 30),
                )
                for i in range(ACTIONS)
            )
            through = Action.partners.through
            through.objects.bulk_create(
                through(action_id=a.pk, partnerauthority_id=p.pk) for a in actions for p in partners
            )
            when = timezone.make_aware(datetime.datetime(2022, 12, 20, 10))
            updates = []
            for a in actions:
                for period in (20222, QUARTER):
                    rag = rng.choice(["green"] * 6 + ["amber", "amber", "red"])
                    updates.append(
                        ProgressUpdate(
                            action=a, period=period, status="in_progress", rag=rag,
                            percent_complete=rng.randint(5, 95), author=lead, created_at=when,
                            commentary="Work continues as planned with most milestones met; the partners "
                            "have agreed the next phase and funding is in place.",
                            next_steps="Agree the revised plan with the supplier and partner leads.",
                        )
                    )  # fmt: skip
            ProgressUpdate.objects.bulk_create(updates)
    ctx.extra["report_strategy"] = strategy
    _report_peak_memory(strategy)
    return strategy


def _report_peak_memory(strategy):
    """Build once in a fresh process and print its peak memory (the target is under 250 MB)."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        peak_mb = pool.apply(_build_in_child, (strategy.pk,))
    print(f"  report: peak memory building the {ACTIONS}-action report in a fresh process: {peak_mb:.0f} MB")


def _build_in_child(strategy_id: int) -> float:
    import resource

    import django

    django.setup()
    from reporting import pdf, services
    from reporting.models import BoardReport
    from themes.models import Strategy

    report = BoardReport(strategy=Strategy.objects.get(pk=strategy_id), period=QUARTER)
    pdf.render(services.report_html(report))
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@register(f"report: bare {ACTIONS}-row table in WeasyPrint (the report's baseline)", runs=RUNS)
def bare_table(ctx):
    from weasyprint import HTML

    _quarter(ctx)
    row = (
        "<tr><td>3.14</td><td>Deliver improvement 14 across the partnership's shared services</td>"
        "<td>Priya Shah</td><td>MBC, SBC, TWBC</td><td>Green</td><td>64%</td><td>"
        + html.escape(
            "Work continues as planned with most milestones met; the partners have agreed the next phase "
            "and funding is in place."
        )
        + "</td></tr>"
    )
    document = f"<html lang='en'><body><table>{row * ACTIONS}</table></body></html>"
    HTML(string=document).write_pdf()


@register(f"report: build the {ACTIONS}-action quarter (figures, charts, PDF/UA)", runs=RUNS)
def build_report(ctx):
    from reporting import pdf, services
    from reporting.models import BoardReport

    report = BoardReport(strategy=_quarter(ctx), period=QUARTER)
    pdf.render(services.report_html(report))
