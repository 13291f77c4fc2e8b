from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = (
        "Replace the database and report files with a backup made by `manage.py backup`, then check "
        "that every table has the rows it had. Stop the web and worker processes first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--no-input", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, archive, no_input, **options):
        if not archive.is_file():
            raise CommandError(f"No such backup: {archive}")
        try:
            manifest = backup.read_manifest(archive)
        except (backup.BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        if not no_input:
            answer = input(
                f"This replaces ALL data with the backup of {manifest['created_utc']} (UTC). "
                "Type 'restore' to go on: "
            )
            if answer.strip() != "restore":
                raise CommandError("Restore cancelled; nothing changed.")
        try:
            backup.restore(archive)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        problems = backup.verify(manifest)
        if problems:
            raise CommandError("Restored, but rows differ from the backup:\n" + "\n".join(problems))
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {rows} rows in {len(manifest['row_counts'])} tables and "
                f"{len(manifest['media_files'])} report files from {archive}; every table's count matches."
            )
        )
