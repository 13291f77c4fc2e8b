"""Import indicator values from CSV or Excel: all rows or none.

The columns (headers matched ignoring case, spaces and underscores):

    indicator code, period, value, commentary    (and, optionally, partner, numerator, denominator)

The file is read as the actions import reads it (actionplan.imports.read_table: size,
zip-bomb, column and row limits, damaged workbooks). Every row is checked against the
same rules as the value form (indicators.services.value_errors) before anything is
written; any problem fails the whole import with one message per problem, naming the row
(as numbered in the spreadsheet) and the column. A row equal to the value that already
counts for its period is left alone, so importing the same file again changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts import access
from actionplan import window
from actionplan.imports import MAX_ROWS, ImportFailed, Problem, cell_text, read_table
from indicators import rules, services
from indicators.models import Indicator, IndicatorValue
from indicators.periods import Period
from themes.models import PartnerAuthority

# (key, header as written in the template, required)
COLUMNS = [
    ("code", "Indicator code", True),
    ("period", "Period", True),
    ("actual", "Value", True),
    ("commentary", "Commentary", False),
    ("partner", "Partner", False),
    ("numerator", "Numerator", False),
    ("denominator", "Denominator", False),
]
HEADERS = {key: header for key, header, _ in COLUMNS}
_ALIASES = {
    "code": "code",
    "indicator": "code",
    "actual": "actual",
    "value": "actual",
    "comment": "commentary",
}
# The service's draft fields, as the file's columns.
_FIELD_COLUMNS = {"period": "period", "partner": "partner", "actual": "actual", "numerator": "numerator",
                  "denominator": "denominator", "commentary": "commentary"}  # fmt: skip


@dataclass
class Row:
    number: int
    indicator: Indicator
    draft: services.ValueDraft


@dataclass
class ImportResult:
    dry_run: bool
    created: list[Row] = field(default_factory=list)
    unchanged: list[Row] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        n = len(self.created)
        return (
            f"{n} value{'' if n == 1 else 's'} {verb} recorded; {len(self.unchanged)} "
            f"{'was' if len(self.unchanged) == 1 else 'were'} already recorded and left alone."
        )


def _header_key(text) -> str | None:
    words = re.sub(r"[\s_]+", " ", str(text or "")).strip().lower()
    for key, header, _ in COLUMNS:
        if words == header.lower():
            return key
    return _ALIASES.get(words)


def values_import(*, strategy, data: bytes, filename: str, user, dry_run: bool = False) -> ImportResult:
    """Record the file's values for the strategy's indicators, as `user`. All rows or none."""
    if not access.can_import_indicator_values(user):
        raise PermissionDenied("Only administrators can import indicator values.")
    table = read_table(data, filename)
    rows, ignored, problems = _check(strategy, table)
    result = ImportResult(dry_run=dry_run, ignored_columns=ignored)
    with transaction.atomic():
        # Checked and stored under the quarter-lock guard, as one value is (value_create).
        window.lock_guard(exclusive=False)
        counting = _counting_values(rows)
        for row in rows:
            errors = services.value_errors(indicator=row.indicator, draft=row.draft)
            if errors:
                problems += _problems(row.number, errors)
                continue
            if _same(counting.get(_key(row)), row):
                result.unchanged.append(row)
            else:
                result.created.append(row)
        if problems:
            raise ImportFailed(sorted(problems, key=lambda p: p.row or 0))
        if dry_run:
            return result
        for row in result.created:
            try:
                services.value_create(
                    indicator=row.indicator, author=user, draft=row.draft, check_version=False
                )
            except ValidationError as error:  # a rule that changed since the check: still all or none
                raise ImportFailed(_problems(row.number, error.message_dict)) from None
    return result


def _problems(number: int, errors: dict) -> list[Problem]:
    return [
        Problem(number, HEADERS.get(_FIELD_COLUMNS.get(key, ""), None), str(message))
        for key, messages in errors.items()
        for message in messages
    ]


def _check(strategy, table) -> tuple[list[Row], list[str], list[Problem]]:
    """The rows that are well formed, the columns ignored, and every problem of the others
    (a problem with the file as a whole raises ImportFailed at once)."""
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
        elif cell_text(cell):
            ignored.append(cell_text(cell))
    missing = [header for key, header, required in COLUMNS if required and key not in columns.values()]
    if missing:
        expected = ", ".join(header for _, header, _ in COLUMNS)
        raise ImportFailed(
            [
                Problem(header_number, None, f'The column "{h}" is missing (expected: {expected}).')
                for h in missing
            ]
        )
    if len(rows) == 1:
        raise ImportFailed([Problem(None, None, "The file has no values below the header row.")])
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFailed([Problem(None, None, f"A file can hold at most {MAX_ROWS} values.")])

    indicators = {
        i.code.lower(): i for i in Indicator.objects.filter(strategy=strategy).select_related("strategy")
    }
    partners = list(PartnerAuthority.objects.all())
    problems: list[Problem] = []
    checked: list[Row] = []
    seen: dict[tuple, int] = {}
    for number, cells in rows[1:]:
        raw = {key: cell_text(cells[index]) if index < len(cells) else "" for index, key in columns.items()}
        row_problems = len(problems)
        indicator = indicators.get(raw["code"].lower())
        if not raw["code"]:
            problems.append(Problem(number, HEADERS["code"], "Enter the indicator's code."))
        elif indicator is None:
            problems.append(
                Problem(number, HEADERS["code"], f"There is no indicator {raw['code']} in {strategy.title}.")
            )
        values: dict = {"commentary": raw.get("commentary", "")}
        for key in ("actual", "numerator", "denominator"):
            values[key] = _number(raw.get(key, ""), number, key, problems)
        if raw.get("partner"):
            wanted = raw["partner"].lower()
            values["partner"] = next(
                (p for p in partners if wanted in (p.short_name.lower(), p.name.lower(), p.slug)), None
            )
            if values["partner"] is None:
                problems.append(Problem(number, HEADERS["partner"], f"There is no partner {raw['partner']}."))
        if indicator is not None:
            try:
                values["period"] = _period(raw["period"], indicator)
            except ValueError as error:
                problems.append(Problem(number, HEADERS["period"], str(error)))
        if len(problems) > row_problems or indicator is None:
            continue
        draft = services.ValueDraft.from_values(values)
        key = (indicator.pk, draft.period.end, getattr(draft.partner, "pk", None))
        if key in seen:
            problems.append(
                Problem(
                    number,
                    HEADERS["period"],
                    f"{indicator.code} {draft.period.label} is also on row {seen[key]}.",
                )
            )
            continue
        seen[key] = number
        checked.append(Row(number, indicator, draft))
    return checked, ignored, problems


def _period(text: str, indicator: Indicator) -> Period:
    if not text:
        raise ValueError("Enter the period the value is for.")
    # Excel turns "2022-11" into a date: read a date's month (or its quarter or year).
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})( 00:00:00)?$", text)
    if match and indicator.frequency == "monthly":
        return Period.month(int(match[1]), int(match[2]))
    return Period.parse(text, indicator.frequency)


def _number(text: str, row: int, key: str, problems: list[Problem]) -> Decimal | None:
    cleaned = text.replace(",", "").strip().strip("%£ ")
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
        if number.is_finite():
            return number
    except InvalidOperation:
        pass
    problems.append(Problem(row, HEADERS[key], f'"{text}" is not a number.'))
    return None


def _key(row: Row) -> tuple:
    return (row.indicator.pk, row.draft.period.end, getattr(row.draft.partner, "pk", None))


def _counting_values(rows: list[Row]) -> dict[tuple, IndicatorValue]:
    """The value that counts now for each (indicator, period, partner) the file has, in one query."""
    if not rows:
        return {}
    keys = {_key(row) for row in rows}
    candidates = IndicatorValue.objects.filter(
        indicator_id__in={k[0] for k in keys}, period_end__in={k[1] for k in keys}
    )
    latest: dict[tuple, list] = {}
    for value in candidates:
        latest.setdefault((value.indicator_id, value.period_end, value.partner_id), []).append(value)
    return {key: max(values, key=rules.value_key) for key, values in latest.items()}


def _same(value: IndicatorValue | None, row: Row) -> bool:
    if value is None:
        return False
    draft = row.draft
    return (
        value.actual == (draft.actual if draft.actual is not None else value.actual)
        and value.numerator == draft.numerator
        and value.denominator == draft.denominator
        and value.commentary == (draft.commentary or "").strip()
    )
