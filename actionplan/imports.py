"""Import a plan's actions from CSV or Excel: all rows or none.

The columns (headers are matched ignoring case, spaces and underscores):

    reference, theme, title, description, lead officer, partners, start date,
    due date, priority

Every row is checked before anything is written; any problem fails the whole
import with one message per problem naming the row (as numbered in the
spreadsheet), the column and what is wrong. Actions are matched on plan and
reference, so importing the same file again changes nothing. Columns the export
adds (status, RAG...) are recognised and ignored.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from accounts import access
from actionplan.models import Action, ActionPlan
from themes.models import PartnerAuthority

# (key, header as written in the template and the export, required)
COLUMNS = [
    ("reference", "Reference", True),
    ("theme", "Theme", True),
    ("title", "Title", True),
    ("description", "Description", False),
    ("lead_officer", "Lead officer", True),
    ("partners", "Partners", True),
    ("start_date", "Start date", True),
    ("due_date", "Due date", True),
    ("priority", "Priority", False),
]
HEADERS = {key: header for key, header, _ in COLUMNS}
# Written by the export for people to read; an import leaves them alone.
STATE_HEADERS = ["Status", "RAG", "% complete", "Current due date", "Overdue", "Last update", "Commentary"]

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# Columns read from each row. A sheet may declare any size (<dimension ref="A1:XFD1048576"/>
# is 5 KB); read without a limit, every row is padded to 16,384 cells. The import's
# and the export's columns are 16, so the rest can only be ignored columns anyway.
MAX_COLUMNS = 64
# An .xlsx is a zip: refuse one that would inflate past this (a "zip bomb").
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024
# Spreadsheet programs run a cell starting with these as a formula; the export
# prefixes an apostrophe, and the import takes it off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_ALIASES = {
    "ref": "reference",
    "theme number": "theme",
    "lead": "lead_officer",
    "lead officer": "lead_officer",
    "partner authorities": "partners",
    "start": "start_date",
    "due": "due_date",
}
_DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y"]


def _whole_file(message: str) -> ImportFailed:
    return ImportFailed([Problem(None, None, message)])


class ImportFailed(Exception):
    """The file cannot be imported; `problems` says every reason, row by row."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the file; nothing was imported.")
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: str

    def __str__(self):
        where = []
        if self.row is not None:
            where.append(f"Row {self.row}")
        if self.column:
            where.append(f'column "{self.column}"')
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class Change:
    reference: str
    row: int
    fields: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    plan: ActionPlan
    dry_run: bool
    created: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    unchanged: list[Change] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        counts = [len(self.created), len(self.updated), len(self.unchanged)]
        noun = "action" if counts[0] == 1 else "actions"
        return (
            f"{counts[0]} {noun} {verb} created, {counts[1]} {verb} updated, "
            f"{counts[2]} {verb} unchanged in the {self.plan.year_label} plan."
        )

    @property
    def changes(self) -> list[tuple[int, str, str]]:
        """(row, reference, what changes) in the file's order."""
        rows = [(c.row, c.reference, "New action") for c in self.created]
        rows += [(c.row, c.reference, ", ".join(c.fields)) for c in self.updated]
        return sorted(rows)


# --- reading the file ----------------------------------------------------------


def read_table(data: bytes, filename: str) -> list[tuple[int, list]]:
    """(spreadsheet row number, cells) for every row of a CSV or .xlsx file."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFailed(
            [Problem(None, None, f"The file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB.")]
        )
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".csv"):
        return _read_csv(data)
    if name.endswith((".xls", ".ods", ".numbers")):
        raise ImportFailed([Problem(None, None, "Save the spreadsheet as .xlsx (Excel Workbook) or CSV.")])
    raise ImportFailed([Problem(None, None, "Choose a .csv or .xlsx file.")])


def _read_csv(data: bytes) -> list[tuple[int, list]]:
    if b"\x00" in data[:4096]:
        raise ImportFailed([Problem(None, None, "This is not a CSV text file.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" (not "CSV UTF-8") on a UK Windows machine writes Windows-1252.
        text = data.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = csv.reader(io.StringIO(text), dialect)
        return [(number, row[:MAX_COLUMNS]) for number, row in enumerate(rows, start=1)]
    except csv.Error as error:
        raise ImportFailed([Problem(None, None, f"The CSV file cannot be read: {error}.")]) from None


def _read_xlsx(data: bytes) -> list[tuple[int, list]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED:
                raise ImportFailed([Problem(None, None, "The workbook is too large once unpacked.")])
        # A read-only workbook parses its sheet while the rows are read, so a damaged or
        # hostile sheet (bad XML, an entity-expansion DTD) fails here too, not as a 500.
        return _xlsx_rows(data)
    except ImportFailed:
        raise
    except Exception:  # noqa: BLE001 - openpyxl and the XML parser raise many kinds for a damaged file
        raise ImportFailed(
            [Problem(None, None, "This is not an Excel .xlsx workbook, or it is damaged.")]
        ) from None


def _xlsx_rows(data: bytes) -> list[tuple[int, list]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        # One row past the limit is enough for check_rows to say the file is too long.
        cells = sheet.iter_rows(max_row=MAX_ROWS + 51, max_col=MAX_COLUMNS, values_only=True)
        return [(number, list(row)) for number, row in enumerate(cells, start=1)]
    finally:
        workbook.close()


def _header_key(text) -> str | None:
    words = re.sub(r"[\s_]+", " ", str(text or "")).strip().lower()
    for key, header, _ in COLUMNS:
        if words == header.lower() or words == key.replace("_", " "):
            return key
    return _ALIASES.get(words)


def cell_text(value) -> str:
    """A cell as trimmed text, numbers as written, the export's formula guard taken off."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] in FORMULA_STARTS:
        text = text[1:]
    return text


# --- checking rows ---------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict


class _Checker:
    """Turns raw rows into action values, collecting every problem."""

    def __init__(self, plan: ActionPlan):
        self.plan = plan
        self.problems: list[Problem] = []
        self.themes = {t.number: t for t in plan.strategy.themes.all()}
        self.partners = list(PartnerAuthority.objects.all())
        self.users = {}

    def problem(self, row: int, key: str, message: str) -> None:
        self.problems.append(Problem(row, HEADERS[key], message))

    def check(self, number: int, raw: dict) -> dict:
        values: dict = {}
        text = {key: cell_text(raw.get(key)) for key in HEADERS}
        for key, header, required in COLUMNS:
            if required and not text[key]:
                self.problem(number, key, f"{header} is required.")
        values["reference"] = text["reference"]
        if len(text["reference"]) > 20:
            self.problem(number, "reference", "A reference has at most 20 characters.")
        values["title"] = text["title"]
        if len(text["title"]) > 255:
            self.problem(number, "title", "A title has at most 255 characters.")
        values["description"] = text["description"]
        values["theme"] = self._theme(number, text["theme"])
        values["lead_officer"] = self._officer(number, text["lead_officer"])
        values["partners"] = self._partners(number, text["partners"])
        values["start_date"] = self._date(number, "start_date", raw.get("start_date"))
        values["due_date"] = self._date(number, "due_date", raw.get("due_date"))
        if values["start_date"] and values["due_date"] and values["due_date"] < values["start_date"]:
            self.problem(number, "due_date", "The due date is before the start date.")
        values["priority"] = self._priority(number, text["priority"])
        return values

    def _theme(self, number, text):
        if not text:
            return None
        match = re.match(r"^(?:theme\s*)?(\d+)(?:[.:)\s].*)?$", text, re.IGNORECASE)
        theme = self.themes.get(int(match[1])) if match else None
        if theme is None:
            known = ", ".join(str(n) for n in sorted(self.themes))
            self.problem(
                number, "theme", f'There is no theme "{text}" in {self.plan.strategy} (themes {known}).'
            )
        return theme

    def _officer(self, number, text):
        if not text:
            return None
        if text.lower() not in self.users:
            User = get_user_model()
            self.users[text.lower()] = (
                User.objects.filter(is_active=True)
                .filter(Q(username__iexact=text) | Q(email__iexact=text))
                .first()
            )
        user = self.users[text.lower()]
        if user is None:
            self.problem(
                number, "lead_officer", f'There is no active user with the username or e-mail "{text}".'
            )
        elif not (access.is_officer(user) or access.is_administrator(user)):
            self.problem(
                number,
                "lead_officer",
                f"{user.display_name} is not an officer, so cannot lead an action: "
                "give an officer's username, or give them the officer role first.",
            )
            return None
        return user

    def _partners(self, number, text):
        found = []
        for name in filter(None, (part.strip() for part in re.split(r"[;,]", text))):
            partner = next(
                (p for p in self.partners if name.lower() in (p.short_name.lower(), p.name.lower(), p.slug)),
                None,
            )
            if partner is None:
                self.problem(number, "partners", f'There is no partner authority "{name}".')
            elif partner not in found:
                found.append(partner)
        return found

    def _date(self, number, key, value):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = cell_text(value)
        for fmt in _DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        self.problem(number, key, f'"{text}" is not a date: write it as 31/03/2024 or 2024-03-31.')
        return None

    def _priority(self, number, text):
        if not text:
            return Action.Priority.MEDIUM
        for value, label in Action.Priority.choices:
            if text.lower() in (value, label.lower()):
                return value
        self.problem(number, "priority", f'"{text}" is not a priority: use High, Medium or Low.')
        return None


def check_rows(plan: ActionPlan, table: list[tuple[int, list]]) -> tuple[list[_Row], list[str]]:
    """Every row's values, or ImportFailed with every problem found."""
    rows = [(n, cells) for n, cells in table if any(cell_text(c) for c in cells)]
    if not rows:
        raise ImportFailed([Problem(None, None, "The file is empty.")])
    header_number, header_cells = rows[0]
    columns: dict[int, str] = {}
    ignored = []
    for index, cell in enumerate(header_cells):
        key = _header_key(cell)
        if key and key not in columns.values():
            columns[index] = key
        elif cell_text(cell) and cell_text(cell) not in STATE_HEADERS:
            ignored.append(cell_text(cell))
    missing = [header for key, header, required in COLUMNS if required and key not in columns.values()]
    if missing:
        expected = ", ".join(header for _, header, _ in COLUMNS)
        raise ImportFailed(
            [
                Problem(header_number, None, f'The column "{header}" is missing (expected: {expected}).')
                for header in missing
            ]
        )
    if len(rows) == 1:
        raise _whole_file("The file has no actions below the header row.")
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFailed([Problem(None, None, f"A file can hold at most {MAX_ROWS} actions.")])

    checker = _Checker(plan)
    checked, first_seen = [], {}
    for number, cells in rows[1:]:
        raw = {key: cells[index] if index < len(cells) else None for index, key in columns.items()}
        values = checker.check(number, raw)
        reference = values["reference"]
        if reference:
            if reference.lower() in first_seen:
                checker.problem(
                    number,
                    "reference",
                    f"Reference {reference} is also on row {first_seen[reference.lower()]}.",
                )
            first_seen.setdefault(reference.lower(), number)
        checked.append(_Row(number, values))
    if checker.problems:
        raise ImportFailed(checker.problems)
    return checked, ignored


# --- writing -----------------------------------------------------------------------


def actions_import(
    *, plan: ActionPlan, data: bytes, filename: str, user=None, dry_run: bool = False
) -> ImportResult:
    """Create or update the plan's actions from a file. All rows or none."""
    if user is not None and not access.can_manage_plan(user, plan):
        raise PermissionDenied("Only administrators can import actions.")
    if plan.status == ActionPlan.Status.CLOSED:
        raise ImportFailed([Problem(None, None, f"The {plan.year_label} plan is closed.")])
    rows, ignored = check_rows(plan, read_table(data, filename))
    result = ImportResult(plan=plan, dry_run=dry_run, ignored_columns=ignored)
    existing = {a.reference.lower(): a for a in Action.objects.filter(plan=plan).prefetch_related("partners")}
    with transaction.atomic():
        for row in rows:
            values = dict(row.values)
            partners = values.pop("partners")
            action = existing.get(values["reference"].lower())
            if action is None:
                action = Action(plan=plan, **values)
                result.created.append(Change(values["reference"], row.number))
            else:
                changed = [k for k, v in values.items() if getattr(action, k) != v]
                if {p.pk for p in action.partners.all()} != {p.pk for p in partners}:
                    changed.append("partners")
                if not changed:
                    result.unchanged.append(Change(action.reference, row.number))
                    continue
                for key, value in values.items():
                    setattr(action, key, value)
                result.updated.append(Change(action.reference, row.number, [HEADERS[k] for k in changed]))
            _validate(action, row.number)
            if dry_run:
                continue
            if user is not None:
                action._history_user = user
            action.save()
            action.partners.set(partners)
    return result


def _validate(action: Action, row: int) -> None:
    """The model's own rules (constraints, theme in the plan's strategy) as row problems."""
    try:
        action.full_clean(exclude=["partners", "latest_update", "carried_forward_from"])
    except ValidationError as error:
        problems = []
        for key, messages in error.message_dict.items():
            problems += [Problem(row, HEADERS.get(key), message) for message in messages]
        raise ImportFailed(problems) from None
