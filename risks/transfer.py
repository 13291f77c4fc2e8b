"""Import a strategy's risks from CSV or Excel (all rows or none), and export the register.

The file is read by actionplan.imports (read_table, cell_text: the same limits on size,
rows and damaged workbooks) and written by actionplan.exports (csv_bytes, xlsx_bytes:
cells never run as formulas). Risks are matched on the strategy and reference, so
importing the same file again changes nothing. The export's first columns are the
import's; the current score columns after them are for people and are ignored.
Mitigating actions are linked in the admin, not the file: an action is named by plan
year and reference, which a spreadsheet edited for a year would too easily get wrong.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from accounts import access
from actionplan.exports import csv_bytes, xlsx_bytes
from actionplan.imports import MAX_ROWS, ImportFailed, Problem, cell_text, read_table
from risks import rules, selectors
from risks.models import Risk

# (key, header, required)
COLUMNS = [
    ("reference", "Reference", True),
    ("theme", "Theme", True),
    ("title", "Title", True),
    ("cause", "Cause", True),
    ("event", "Event", True),
    ("consequence", "Consequence", True),
    ("owner", "Owner", True),
    ("existing_controls", "Existing controls", False),
    ("appetite", "Appetite", True),
    ("review_frequency", "Review frequency", False),
    ("inherent_likelihood", "Inherent likelihood", True),
    ("inherent_impact", "Inherent impact", True),
    ("target_likelihood", "Target likelihood", True),
    ("target_impact", "Target impact", True),
    ("identified_on", "Identified on", False),
]
HEADERS = {key: header for key, header, _ in COLUMNS}
SCORE_HEADERS = ["Current likelihood", "Current impact", "Current score", "Band", "Outside appetite",
                 "Since last quarter", "Reviewed for", "Commentary"]  # fmt: skip
_LEVELS = {**{str(n): n for n in rules.LEVELS}}
for _n, _name in {**rules.LIKELIHOOD_LABELS}.items():
    _LEVELS[_name.lower()] = _n
for _n, _name in rules.IMPACT_LABELS.items():
    _LEVELS[_name.lower()] = _n


@dataclass
class Result:
    strategy: object
    dry_run: bool
    created: list[tuple[int, str]] = field(default_factory=list)
    updated: list[tuple[int, str, list[str]]] = field(default_factory=list)
    unchanged: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        noun = "risk" if len(self.created) == 1 else "risks"
        return (
            f"{len(self.created)} {noun} {verb} created, {len(self.updated)} {verb} updated, "
            f"{len(self.unchanged)} {verb} unchanged in {self.strategy}."
        )

    @property
    def changes(self) -> list[tuple[int, str, str]]:
        rows = [(n, ref, "New risk") for n, ref in self.created]
        rows += [(n, ref, ", ".join(HEADERS[f] for f in fields)) for n, ref, fields in self.updated]
        return sorted(rows)


def _key(text) -> str | None:
    words = re.sub(r"[\s_]+", " ", str(text or "")).strip().lower()
    for key, header, _ in COLUMNS:
        if words in (header.lower(), key.replace("_", " ")):
            return key
    return None


def _rows(table) -> tuple[dict[int, str], list]:
    rows = [(n, cells) for n, cells in table if any(cell_text(c) for c in cells)]
    if not rows:
        raise ImportFailed([Problem(None, None, "The file is empty.")])
    header_number, header = rows[0]
    columns: dict[int, str] = {}
    for index, cell in enumerate(header):
        key = _key(cell)
        if key and key not in columns.values():
            columns[index] = key
    missing = [h for k, h, required in COLUMNS if required and k not in columns.values()]
    if missing:
        raise ImportFailed([Problem(header_number, None, f'The column "{h}" is missing.') for h in missing])
    if len(rows) == 1:
        raise ImportFailed([Problem(None, None, "The file has no risks below the header row.")])
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFailed([Problem(None, None, f"A file can hold at most {MAX_ROWS} risks.")])
    return columns, rows[1:]


def _check(strategy, number: int, raw: dict, problems: list, users: dict, themes: dict) -> dict:
    def problem(key, message):
        problems.append(Problem(number, HEADERS[key], message))

    text = {key: cell_text(raw.get(key)) for key in HEADERS}
    for key, header, required in COLUMNS:
        if required and not text[key]:
            problem(key, f"{header} is required.")
    values = {
        k: text[k] for k in ("reference", "title", "cause", "event", "consequence", "existing_controls")
    }
    if len(values["reference"]) > 20:
        problem("reference", "A reference has at most 20 characters.")
    if len(values["title"]) > 255:
        problem("title", "A title has at most 255 characters.")
    match = re.match(r"^(?:theme\s*)?(\d+)", text["theme"], re.IGNORECASE)
    values["theme"] = themes.get(int(match[1])) if match else None
    if text["theme"] and values["theme"] is None:
        problem("theme", f'There is no theme "{text["theme"]}" in {strategy}.')
    owner = text["owner"].lower()
    if owner and owner not in users:
        users[owner] = (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(username__iexact=owner) | Q(email__iexact=owner))
            .first()
        )
    values["owner"] = users.get(owner)
    if owner and values["owner"] is None:
        problem("owner", f'There is no active user with the username or e-mail "{text["owner"]}".')
    try:
        values["appetite"] = int(text["appetite"]) if text["appetite"] else None
        if values["appetite"] is not None and not 1 <= values["appetite"] <= 25:
            raise ValueError
    except ValueError:
        problem("appetite", "The appetite is the highest acceptable score, a whole number from 1 to 25.")
        values["appetite"] = None
    for key in ("inherent_likelihood", "inherent_impact", "target_likelihood", "target_impact"):
        level = _LEVELS.get(text[key].lower()) if text[key] else None
        if text[key] and level is None:
            problem(key, f'"{text[key]}" is not a level: write 1 to 5 or its name (such as Likely).')
        values[key] = level
    frequency = text["review_frequency"].lower()
    values["review_frequency"] = Risk.ReviewFrequency.QUARTERLY
    if frequency:
        found = [
            v
            for v, label in Risk.ReviewFrequency.choices
            if frequency in (v.replace("_", " "), label.lower())
        ]
        if not found:
            labels = ", ".join(label for _, label in Risk.ReviewFrequency.choices)
            problem(
                "review_frequency", f'"{text["review_frequency"]}" is not a review frequency: use {labels}.'
            )
        else:
            values["review_frequency"] = found[0]
    identified = raw.get("identified_on")
    if isinstance(identified, datetime.datetime):
        identified = identified.date()
    if identified and not isinstance(identified, datetime.date):
        try:
            identified = datetime.date.fromisoformat(cell_text(identified))
        except ValueError:
            try:
                identified = datetime.datetime.strptime(cell_text(identified), "%d/%m/%Y").date()
            except ValueError:
                problem("identified_on", f'"{cell_text(identified)}" is not a date: write 31/03/2024.')
                identified = None
    if identified:
        values["identified_on"] = identified
    return values


def risks_import(*, strategy, data: bytes, filename: str, user=None, dry_run: bool = False) -> Result:
    """Create or update the strategy's risks from a file. All rows or none."""
    if user is not None and not access.can_manage_risks(user):
        raise PermissionDenied("Only administrators can import risks.")
    columns, rows = _rows(read_table(data, filename))
    problems: list[Problem] = []
    users: dict = {}
    themes = {t.number: t for t in strategy.themes.all()}
    existing = {r.reference.lower(): r for r in Risk.objects.filter(strategy=strategy)}
    seen: dict[str, int] = {}
    result = Result(strategy, dry_run)
    pending = []
    for number, cells in rows:
        raw = {key: cells[i] if i < len(cells) else None for i, key in columns.items()}
        values = _check(strategy, number, raw, problems, users, themes)
        ref = values["reference"].lower()
        if ref in seen:
            problems.append(
                Problem(number, "Reference", f"Reference {values['reference']} is also on row {seen[ref]}.")
            )
        seen.setdefault(ref, number)
        risk = existing.get(ref)
        if risk is None:
            risk = Risk(strategy=strategy, **values)
            result.created.append((number, values["reference"]))
        else:
            changed = [k for k, v in values.items() if getattr(risk, k) != v]
            if not changed:
                result.unchanged.append((number, risk.reference))
                continue
            for k, v in values.items():
                setattr(risk, k, v)
            result.updated.append((number, risk.reference, changed))
        try:
            risk.full_clean(exclude=["mitigating_actions"], validate_unique=False)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                problems += [Problem(number, HEADERS.get(key), m) for m in messages]
        pending.append(risk)
    if problems:
        raise ImportFailed(problems)
    if not dry_run:
        with transaction.atomic():
            for risk in pending:
                risk._history_user = user
                risk.save()
    return result


def export_rows(strategy) -> list[list]:
    """One row per risk on the register now: the import's columns, then its current score."""
    rows = []
    for row in selectors.register(strategy).rows:
        r, review = row.risk, row.review
        rows.append(
            [
                r.reference, r.theme.number, r.title, r.cause, r.event, r.consequence, r.owner.username,
                r.existing_controls, r.appetite, r.get_review_frequency_display(),
                r.inherent_likelihood, r.inherent_impact, r.target_likelihood, r.target_impact,
                r.identified_on,
                review.likelihood if review else "", review.impact if review else "",
                row.score or "", row.band.label if review else "Not yet reviewed",
                "Yes" if row.outside_appetite else "No", row.movement.label if row.movement else "",
                review.quarter.label if review else "", review.commentary if review else "",
            ]
        )  # fmt: skip
    return rows


HEADER_ROW = [h for _, h, _ in COLUMNS] + SCORE_HEADERS


def export_csv(strategy) -> bytes:
    return csv_bytes(HEADER_ROW, export_rows(strategy))


def export_xlsx(strategy) -> bytes:
    return xlsx_bytes("Risk register", HEADER_ROW, export_rows(strategy))
