"""Recompute the per-quarter state table from the progress updates.

Run after loading updates in bulk (imports, restores) or to repair the table;
running it twice gives the same rows.
"""

from django.core.management.base import BaseCommand

from actionplan import derived


class Command(BaseCommand):
    help = "Rebuild ActionQuarterState (each action's state at the end of each quarter) from the updates."

    def handle(self, *args, **options):
        rows = derived.refresh()
        self.stdout.write(f"Rebuilt {rows} quarter states.")
