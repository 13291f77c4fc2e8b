from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actionplan.imports import ImportFailed, actions_import
from actionplan.models import ActionPlan
from core.quarters import financial_year_label
from themes.models import Strategy


class Command(BaseCommand):
    help = (
        "Import a plan's actions from a CSV or .xlsx file: all rows or none. Columns: reference, theme, "
        "title, description, lead officer, partners, start date, due date, priority."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv or .xlsx file.")
        parser.add_argument("--year", type=int, required=True, help="The plan's year: 2019 is 2019/20.")
        parser.add_argument("--strategy", help="The strategy's title, when more than one strategy is active.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; store nothing.")

    def handle(self, *args, file, year, strategy, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {file}.")
        plan = self._plan(year, strategy)
        try:
            result = actions_import(plan=plan, data=path.read_bytes(), filename=path.name, dry_run=dry_run)
        except ImportFailed as failed:
            for problem in failed.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{failed} Correct the file and import it again.") from None

        for row, reference, change in result.changes:
            self.stdout.write(f"  row {row}: {reference}: {change}")
        if result.ignored_columns:
            self.stdout.write(f"Ignored columns: {', '.join(result.ignored_columns)}")
        prefix = "Dry run, nothing stored: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + result.summary()))

    def _plan(self, year: int, title: str | None) -> ActionPlan:
        strategies = Strategy.objects.all()
        if title:
            strategies = strategies.filter(title=title)
        else:
            strategies = strategies.filter(status=Strategy.Status.ACTIVE)
        plans = list(ActionPlan.objects.filter(strategy__in=strategies, year=year).select_related("strategy"))
        if len(plans) == 1:
            return plans[0]
        if not plans:
            raise CommandError(
                f"There is no {financial_year_label(year)} action plan"
                f"{' in ' + title if title else ' in the active strategy'}: add it in the admin first."
            )
        raise CommandError("More than one strategy has that plan: name one with --strategy.")
