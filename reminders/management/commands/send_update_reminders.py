"""Run today's reminder step by hand: for the shell and installations with no broker."""

from django.core.management.base import BaseCommand

from core import clock
from reminders import services


class Command(BaseCommand):
    help = "Send the update reminders or escalation the reporting calendar puts on today."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print who would get what; send nothing.")

    def handle(self, *args, dry_run=False, **options):
        reports = services.reminders_run_due_steps(dry_run=dry_run)
        today = clock.today()
        if not reports:
            self.stdout.write(f"{today:%d %B %Y}: no reminder step is due today.")
            return
        for report in reports:
            self.stdout.write(
                f"{today:%d %B %Y}: {report.strategy} {report.quarter.label}: "
                f"{services.Step(report.step).label.lower()}{' (dry run)' if dry_run else ''}"
            )
            if not report.planned:
                self.stdout.write("  Nobody: every update is in.")
            for planned in report.planned:
                refs = ", ".join(a.reference for a in planned.actions)
                who = f"{planned.recipient.display_name} <{planned.recipient.email or 'no e-mail'}>"
                self.stdout.write(f"  {who}: {planned.outcome}: {len(planned.actions)} action(s) {refs}")
        failed = sum(r.failed for r in reports)
        if failed:
            self.stderr.write(f"{failed} e-mail(s) failed; run again to resend only those.")
