"""Export a plan's actions and their current state, in the import's columns.

The first columns are exactly the import's, so an export re-imports cleanly; the
state columns after them are for people (and Power BI) and an import ignores them.
"""

from __future__ import annotations

import csv
import datetime
import io

from django.db.models import Prefetch

from actionplan import selectors
from actionplan.imports import COLUMNS, FORMULA_STARTS, STATE_HEADERS
from actionplan.models import Action, ActionPlan, by_reference
from core.text import without_controls
from themes.models import PartnerAuthority

HEADER_ROW = [header for _, header, _ in COLUMNS] + STATE_HEADERS


def export_rows(plan: ActionPlan) -> list[list]:
    """One list of cells per action: dates as dates, everything else as text or numbers."""
    actions = (
        Action.objects.filter(plan=plan)
        .select_related("theme", "lead_officer")
        .prefetch_related(Prefetch("partners", queryset=PartnerAuthority.objects.order_by("short_name")))
        .order_by("theme__number", *by_reference(), "pk")
    )
    rows = []
    for state in selectors.action_states(actions):
        action, update = state.action, state.update
        rows.append(
            [
                action.reference,
                action.theme.number,
                action.title,
                action.description,
                action.lead_officer.username,
                "; ".join(p.short_name for p in action.partners.all()),
                action.start_date,
                action.due_date,
                action.get_priority_display(),
                state.status_label,
                state.rag_label,
                state.percent_complete,
                state.due_date,
                "Yes" if state.is_overdue else "No",
                update.quarter.label if update else "",
                update.commentary if update else "",
            ]
        )
    return rows


def safe_cell(value) -> str:
    """A spreadsheet must show a cell, never run it as a formula (CSV injection)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def export_csv(plan: ActionPlan) -> bytes:
    return csv_bytes(HEADER_ROW, export_rows(plan))


def export_xlsx(plan: ActionPlan) -> bytes:
    return xlsx_bytes(f"Actions {plan.year_label.replace('/', '-')}", HEADER_ROW, export_rows(plan))


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """A CSV file of `rows` under `header`, every cell made safe to open (safe_cell)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    # With a byte order mark, Excel opens the file as UTF-8 and keeps accents.
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(title: str, header: list[str], rows: list[list]) -> bytes:
    """An Excel workbook of `rows` under a bold `header`: dates as dates, text never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # A workbook cannot hold control characters (openpyxl refuses the whole file); updates
        # lose them on the way in (actionplan.services), but older rows and admin edits may not.
        sheet.append([without_controls(v) if isinstance(v, str) else v for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(cell.value, str) and cell.value.startswith("="):
                # openpyxl would store it as a formula: keep it as the text it is.
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    """The empty template: the import's columns and nothing else."""
    return (",".join(header for _, header, _ in COLUMNS) + "\r\n").encode("utf-8-sig")


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Actions"
    sheet.append([header for _, header, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    guide = workbook.create_sheet("Guide")
    guide.append(["Column", "Required", "What to write"])
    for (_, header, required), note in zip(COLUMNS, COLUMN_NOTES, strict=True):
        guide.append([header, "Yes" if required else "No", note])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


COLUMN_NOTES = [
    "Unique within the plan, such as 3.2. Importing again updates the action with this reference.",
    "The theme's number in the strategy, such as 3.",
    "Up to 255 characters.",
    "Optional.",
    "The lead officer's username or e-mail address; they must have the Officer role.",
    "Short names or names of the partner authorities served, separated by ; or , (MBC; SBC).",
    "A date: 01/04/2023, 2023-04-01 or an Excel date.",
    "A date, not before the start date.",
    "High, Medium or Low; Medium when empty.",
]
