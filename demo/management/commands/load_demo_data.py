from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import loader


class Command(BaseCommand):
    help = "Load the Mid Kent Services demo data (idempotent). --scale N multiplies the actions."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=1, help="Multiply every plan's actions by N (for benchmarks)."
        )
        parser.add_argument(
            "--no-reports",
            action="store_false",
            dest="reports",
            help="Skip building and sending the past quarters' board reports (a faster load).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Load even when DEBUG is off (never on a live portal)."
        )

    def handle(self, *args, scale, force, reports=True, **options):
        if not settings.DEMO_DATA_ALLOWED and not force:
            raise CommandError(
                "Refusing to load demo data (and demo accounts) under production settings (DEBUG off)."
            )
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        created = loader.load(scale=scale, reports=reports, log=lambda msg: self.stdout.write(msg))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({created['actions']} actions, {created['updates']} updates, "
                f"{created['reminders']} reminders, {created.get('indicator_values', 0)} indicator values, "
                f"{created.get('risks', 0)} risks and {created['reports']} board reports added). "
                "Demo accounts: admin, officer, officer2, councillor, board, manager."
            )
        )
