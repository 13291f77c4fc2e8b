from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from actionplan.imports import ImportFailed
from indicators.imports import values_import
from themes import selectors as strategies
from themes.models import Strategy


class Command(BaseCommand):
    help = (
        "Import indicator values from a CSV or .xlsx file: all rows or none. Columns: indicator code, "
        "period, value, commentary (and optionally partner, numerator, denominator)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv or .xlsx file.")
        parser.add_argument(
            "--user",
            help="The administrator the values are recorded by (default: the first active administrator).",
        )
        parser.add_argument("--strategy", help="The strategy's title (default: the active strategy).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and say what would change."
        )

    def handle(self, *args, file, user, strategy, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {file}.")
        chosen = Strategy.objects.filter(title=strategy).first() if strategy else strategies.active_strategy()
        if chosen is None:
            raise CommandError(
                f"There is no strategy {strategy!r}." if strategy else "No strategy is active."
            )
        author = self._author(user)
        try:
            result = values_import(
                strategy=chosen, data=path.read_bytes(), filename=path.name, user=author, dry_run=dry_run
            )
        except ImportFailed as failed:
            for problem in failed.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{failed} Correct the file and import it again.") from None
        for row in result.created:
            self.stdout.write(f"  row {row.number}: {row.indicator.code} {row.draft.period.label}")
        if result.ignored_columns:
            self.stdout.write(f"Ignored columns: {', '.join(result.ignored_columns)}")
        prefix = "Dry run, nothing stored: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + result.summary()))

    def _author(self, username: str | None) -> User:
        from accounts import access

        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None or not access.can_import_indicator_values(user):
                raise CommandError(f"{username} is not an active administrator.")
            return user
        for user in User.objects.filter(is_active=True).order_by("pk"):
            if access.can_import_indicator_values(user):
                return user
        raise CommandError("There is no active administrator to record the values as: name one with --user.")
