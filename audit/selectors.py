"""The audit history: who changed what, and when, read from the history tables.

Every model but progress updates keeps a django-simple-history table; a progress
update is never edited or deleted, so the update itself (author, time) is its
audit record and is listed here as "Added". Entries are read newest first, page
by page: each table is asked for at most one page, so a page costs the same
however long the history grows.
"""

from __future__ import annotations

import dataclasses
import datetime
import heapq

from simple_history.models import registered_models

from actionplan.models import ProgressUpdate

PROGRESS_UPDATE = "actionplan.progressupdate"
CHANGE_LABELS = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclasses.dataclass
class Entry:
    when: datetime.datetime
    kind: str
    kind_label: str
    object_id: int
    object_label: str
    change: str
    user: object | None
    reason: str = ""
    changes: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)


def _key(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def record_kinds() -> list[tuple[str, str]]:
    """(key, label) of every kind of record with an audit history."""
    kinds = [(_key(m), str(m._meta.verbose_name).capitalize()) for m in registered_models.values()]
    kinds.append((PROGRESS_UPDATE, "Progress update"))
    return sorted(kinds, key=lambda k: k[1])


def _models(kind: str | None):
    models = {_key(m): m for m in registered_models.values()}
    if kind:
        return {kind: models[kind]} if kind in models else {}
    return models


def _label(historical) -> str:
    # Built from the history row's own columns: `historical.instance` would fetch
    # the fields history leaves out (a query per row).
    model = historical.instance_type
    values = {
        f.attname: getattr(historical, f.attname)
        for f in model._meta.concrete_fields
        if hasattr(historical, f.attname)
    }
    try:
        return str(model(**values))
    except Exception:  # noqa: BLE001 - a deleted parent must not break the audit page
        return f"#{historical.id}"


def _history_entries(model, *, object_id, user_id, limit) -> list[Entry]:
    rows = model.history.select_related("history_user").order_by("-history_date", "-history_id")
    if object_id is not None:
        rows = rows.filter(id=object_id)
    if user_id is not None:
        rows = rows.filter(history_user_id=user_id)
    label = str(model._meta.verbose_name).capitalize()
    return [
        Entry(
            when=h.history_date,
            kind=_key(model),
            kind_label=label,
            object_id=h.id,
            object_label=_label(h),
            change=CHANGE_LABELS.get(h.history_type, h.history_type),
            user=h.history_user,
            reason=h.history_change_reason or "",
        )
        for h in rows[:limit]
    ]


def _update_entries(*, object_id, user_id, limit) -> list[Entry]:
    rows = ProgressUpdate.objects.select_related("action", "author", "partner").order_by("-created_at", "-id")
    if object_id is not None:
        rows = rows.filter(id=object_id)
    if user_id is not None:
        rows = rows.filter(author_id=user_id)
    entries = []
    for update in rows[:limit]:
        summary = f"{update.get_status_display()}, {update.get_rag_display()}, {update.percent_complete}%"
        if update.partner_id:
            summary += f" for {update.partner.short_name}"
        entries.append(
            Entry(
                when=update.created_at,
                kind=PROGRESS_UPDATE,
                kind_label="Progress update",
                object_id=update.id,
                object_label=str(update),
                change="Added",
                user=update.author,
                reason=summary,
            )
        )
    return entries


def entries(
    *,
    kind: str | None = None,
    object_id: int | None = None,
    user_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Entry], bool]:
    """One page of audit entries, newest first, and whether an older page exists."""
    limit = page * per_page + 1
    streams = []
    for model in _models(kind).values():
        streams.append(_history_entries(model, object_id=object_id, user_id=user_id, limit=limit))
    if kind in (None, "", PROGRESS_UPDATE):
        streams.append(_update_entries(object_id=object_id, user_id=user_id, limit=limit))
    merged = list(heapq.merge(*streams, key=lambda e: e.when, reverse=True))
    start = (page - 1) * per_page
    return merged[start : start + per_page], len(merged) > start + per_page


def record_history(kind: str, object_id: int) -> list[Entry]:
    """Every version of one record, newest first, each with the fields it changed."""
    if kind == PROGRESS_UPDATE:
        return _update_entries(object_id=object_id, user_id=None, limit=1)
    models = _models(kind)
    if not models:
        return []
    model = models[kind]
    versions = model.history.filter(id=object_id).select_related("history_user")
    versions = list(versions.order_by("history_date", "history_id"))
    result = []
    previous = None
    for version in versions:
        changes = []
        if previous is not None:
            delta = version.diff_against(previous)
            for change in delta.changes:
                field = model._meta.get_field(change.field)
                changes.append((str(field.verbose_name), _show(change.old), _show(change.new)))
        result.append(
            Entry(
                when=version.history_date,
                kind=kind,
                kind_label=str(model._meta.verbose_name).capitalize(),
                object_id=version.id,
                object_label=_label(version),
                change=CHANGE_LABELS.get(version.history_type, version.history_type),
                user=version.history_user,
                reason=version.history_change_reason or "",
                changes=changes,
            )
        )
        previous = version
    return list(reversed(result))


def _show(value) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)
