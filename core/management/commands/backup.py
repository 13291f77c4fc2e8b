from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump on PostgreSQL, SQLite's online backup otherwise) and the "
        "report files into one .tar.gz. The portal can keep running."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="Archive to write (default var/backups/portal-<UTC time>.tar.gz)."
        )

    def handle(self, *args, output, **options):
        try:
            path, manifest = backup.create(output)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {rows} rows in {len(manifest['row_counts'])} tables and "
                f"{len(manifest['media_files'])} report files to {path}"
            )
        )
