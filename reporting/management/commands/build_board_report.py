from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.quarters import Quarter
from reporting import services


class Command(BaseCommand):
    help = (
        "Build a quarter's board report (and with --send, e-mail it to the distribution list). "
        "Runs synchronously in this process, with or without a broker."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, required=True, help="Financial year by its start: 2019 is 2019/20."
        )
        parser.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4])
        parser.add_argument("--send", action="store_true", help="Send it (this locks the quarter).")
        parser.add_argument(
            "--report-early",
            action="store_true",
            help="With --send: send a quarter that has not ended yet (locks it early).",
        )

    def handle(self, *args, year, quarter, send, report_early, **options):
        try:
            report = services.report_run_now(
                quarter=Quarter(year, quarter), send=send, report_early=report_early
            )
        except (ValueError, ValidationError) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(f"{report}: {report.get_state_display().lower()}")
        if report.has_pdf:
            self.stdout.write(f"PDF: {report.pdf.path} ({report.page_count} pages, sha256 {report.sha256})")
        for delivery in report.deliveries.all():
            self.stdout.write(f"  {delivery.email}: {delivery.get_state_display().lower()} {delivery.error}")
        if report.state == report.State.FAILED:
            raise CommandError(report.error)
