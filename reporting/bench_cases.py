"""`make bench` cases for the board report: a 300-action quarter beside a bare table.

The baseline is WeasyPrint rendering one bare 300-row table with the same columns
and text: what any PDF of that quarter costs. The report (roll-ups, the states,
charts, the template and a tagged PDF/UA) should stay within twice that.

Memory: "building a 300-action report peaks under 250 MB" (docs/PRODUCT). The
memory case builds the report in a fresh interpreter each run
(`python -m reporting.bench_cases build STRATEGY_ID`, what the command or a
fresh worker does) and takes that process's peak resident set size from
getrusage(RUSAGE_CHILDREN).ru_maxrss in a small launcher process
(`... measure STRATEGY_ID`). Each run's peak, and the highest, are in the case's
row of var/bench/results.json (Context.figures).
"""

from __future__ import annotations

import datetime
import html
import random
import subprocess
import sys
from pathlib import Path

from bench.registry import register

ACTIONS = 300
TITLE = "Benchmark strategy: a 300-action quarter"
QUARTER = 20223
RUNS = 5
TARGET_MB = 250
MEMORY_CASE = f"report: peak memory building the {ACTIONS}-action quarter in a fresh process"
ROOT = Path(__file__).resolve().parent.parent


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
    # bulk_create skips the signals that keep each action's end-of-quarter state:
    # without this the quarter reads as "not yet reported" and the report leaves
    # out its exceptions and changes (half the pages, and an easy memory figure).
    # Also mends a bench database made before this line existed.
    from actionplan import derived
    from actionplan.models import Action

    derived.refresh(Action.objects.filter(plan__strategy=strategy))
    ctx.extra["report_strategy"] = strategy
    return strategy


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


# --- peak memory in a fresh process ------------------------------------------


@register(MEMORY_CASE, runs=3)
def build_report_in_fresh_process(ctx):
    pages, peak = peak_rss_of_build(_quarter(ctx).pk)
    # Figures beyond the times go into the case's row of var/bench/results*.json.
    figures = ctx.figures.setdefault(MEMORY_CASE, {"peak_rss_mb_runs": [], "pages": []})
    figures["peak_rss_mb_runs"].append(round(peak, 1))
    figures["peak_rss_mb"] = max(figures["peak_rss_mb_runs"])
    figures["target_mb"] = TARGET_MB
    if pages not in figures["pages"]:
        figures["pages"].append(pages)


def peak_rss_of_build(strategy_id: int) -> tuple[int, float]:
    """Build the quarter's report in a new interpreter: its page count and peak RSS in MB.

    The build runs in a grandchild, started by a small launcher process that then
    reads getrusage(RUSAGE_CHILDREN).ru_maxrss, its one child's peak. Why the
    launcher: Linux carries a process's high-water mark across exec, and Python
    starts children with vfork, so a build started straight from this process
    (hundreds of MB after the in-process cases) would report this process's peak.
    """
    launcher = subprocess.run(
        [sys.executable, "-m", "reporting.bench_cases", "measure", str(strategy_id)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    pages, peak = launcher.stdout.split()
    return int(pages), float(peak)


def _measure(strategy_id: int) -> None:
    """The launcher: run the build in a child; print its page count and its peak RSS in MB."""
    import resource

    build = subprocess.run(
        [sys.executable, "-m", "reporting.bench_cases", "build", str(strategy_id)],
        capture_output=True,
        text=True,
        check=True,
    )
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
    print(build.stdout.strip(), peak_kb / 1024)


def _build_here(strategy_id: int) -> None:
    """The child's work: what report_build does, minus storing the file."""
    import django

    django.setup()
    from reporting import pdf, services
    from reporting.models import BoardReport
    from themes.models import Strategy

    report = BoardReport(strategy=Strategy.objects.get(pk=strategy_id), period=QUARTER)
    print(pdf.render(services.report_html(report)).page_count)


if __name__ == "__main__":
    # The launcher stays small: Django is only set up in the build's own process.
    {"measure": _measure, "build": _build_here}[sys.argv[1]](int(sys.argv[2]))
