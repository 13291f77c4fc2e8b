"""What goes through sign-off: a small registry of kinds, read by the queue page, bulk
approval, the return page, the daily digest and the API alike.

A kind is one sort of submitted record (a progress update, a risk review; indicator
values next) and says, through a few functions its own app provides, what waits for a
user, how a decision on some of them is made, and how one looks in the API. The rule
of who may decide (an approver of its theme or an administrator, never its author)
is accounts.access'; each kind's decide function applies it, with its locks.

Progress updates are registered here; another app registers its kind from its
AppConfig.ready(), for example risks.apps:

    kinds.register(kinds.Kind(key="review", noun="risk review", plural="risk reviews", ...))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Item:
    """One submitted record in a queue: what it is, what it changes, whether it is the reader's own."""

    kind: Kind
    obj: object
    theme: object
    subject: str  # "1.1 Replace the core switches", "Risk R3 Ransomware attack"
    url: str  # its page
    detail: str  # "Maidstone Borough Council only", or ""
    changes: list
    own: bool

    @property
    def pk(self) -> int:
        return self.obj.pk

    @property
    def quarter(self):
        return self.obj.quarter

    @property
    def author(self):
        return self.obj.author

    @property
    def created_at(self):
        return self.obj.created_at

    @property
    def element_id(self) -> str:
        """Its checkbox's id: "update-12", "review-3"."""
        return f"{self.kind.key}-{self.pk}"

    @property
    def return_url(self) -> str:
        return self.kind.return_url(self.pk)


@dataclass(frozen=True)
class Kind:
    key: str  # the queue form's field, the checkbox ids' prefix and the API's "kind"
    noun: str
    plural: str
    opens: str  # what its page is, for "Open the action" links: "action", "risk"
    waiting: Callable  # (user) -> list[Item]: what awaits their sign-off, their own marked
    fetch: Callable  # (ids) -> list: the records, for a decision
    get: Callable  # (pk) -> the record for the return page (Http404 when there is none)
    decide: Callable  # (*, user, objects, decision, reason) -> list of decisions: all or none
    may_decide: Callable  # (user, record) -> bool
    describe: Callable  # (record, user) -> Item, with its changes
    api_data: Callable  # (item) -> dict: one queue entry in the API
    api_record: Callable  # (pk) -> dict: the record after a decision
    # (strategy, quarter) -> list[Item]: what awaits anyone's sign-off for the quarter, for the
    # board report's send page (updates have their own list there).
    awaiting: Callable | None = None

    def count_phrase(self, n: int) -> str:
        return f"{n} {self.noun if n == 1 else self.plural}"

    def return_url(self, pk: int) -> str:
        if self.key == "update":
            return reverse("approvals:return", args=[pk])
        return reverse("approvals:return-item", args=[self.key, pk])


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    KINDS[kind.key] = kind


def get(key: str) -> Kind | None:
    return KINDS.get(key)


@dataclass(frozen=True)
class ThemeQueue:
    theme: object
    items: list[Item]

    @property
    def decidable(self) -> int:
        return sum(not item.own for item in self.items)


def queue(user) -> list[ThemeQueue]:
    """Everything that waits for `user`'s sign-off, every kind, by theme then kind."""
    themes: dict[int, ThemeQueue] = {}
    for kind in KINDS.values():
        for item in kind.waiting(user):
            themes.setdefault(item.theme.pk, ThemeQueue(item.theme, [])).items.append(item)
    return [themes[pk] for pk in sorted(themes, key=lambda pk: (themes[pk].theme.number, pk))]


def awaiting(*, strategy, quarter) -> list[tuple[Kind, list[Item]]]:
    """Each kind's records for `quarter` still awaiting sign-off (kinds with none left out)."""
    found = [(kind, kind.awaiting(strategy, quarter)) for kind in KINDS.values() if kind.awaiting]
    return [(kind, items) for kind, items in found if items]


def counts(items: list[Item]) -> list[tuple[Kind, int]]:
    """How many of each kind, in the registry's order (kinds with none left out)."""
    return [(k, n) for k in KINDS.values() if (n := sum(1 for i in items if i.kind is k))]


def phrase(items: list[Item]) -> str:
    """ "2 updates and 1 risk review": the items in words."""
    parts = [kind.count_phrase(n) for kind, n in counts(items)]
    return " and ".join(filter(None, [", ".join(parts[:-1]), parts[-1]])) if parts else "nothing"


# --- progress updates ----------------------------------------------------------------


def _update_waiting(user) -> list[Item]:
    from actionplan import sign_off

    return [
        _update_item(item.update, item.changes, item.own)
        for group in sign_off.queue(user)
        for item in group.items
    ]


def _update_item(update, changes, own) -> Item:
    return Item(
        kind=KINDS["update"],
        obj=update,
        theme=update.action.theme,
        subject=f"{update.action.reference} {update.action.title}",
        url=update.action.get_absolute_url(),
        detail=f"{update.partner.name} only" if update.partner_id else "",
        changes=changes,
        own=own,
    )


def _update_fetch(ids):
    from actionplan.models import ProgressUpdate

    return list(ProgressUpdate.objects.filter(pk__in=ids))


def _update_get(pk):
    from django.shortcuts import get_object_or_404

    from actionplan.models import ProgressUpdate

    return get_object_or_404(
        ProgressUpdate.objects.select_related("action__theme", "author", "partner"), pk=pk
    )


def _update_decide(*, user, objects, decision, reason=""):
    from actionplan import sign_off

    return sign_off.update_decide(user=user, updates=objects, decision=decision, reason=reason)


def _update_may_decide(user, update) -> bool:
    from accounts import access

    return access.can_sign_off(user, update)


def _update_describe(update, user) -> Item:
    from actionplan import sign_off

    return _update_item(update, sign_off.changes_of(update), own=update.author_id == user.pk)


def _update_api_data(item: Item) -> dict:
    from api import serializers as s

    data = s.ApprovalSerializer(
        {
            "update_data": item.obj,
            "action_reference": item.obj.action.reference,
            "theme": item.theme.number,
            "own": item.own,
            "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in item.changes],
        }
    ).data
    return {"kind": "update", **data}


def _update_api_record(pk) -> dict:
    from actionplan.models import ProgressUpdate
    from api import serializers as s

    return s.UpdateSerializer(
        ProgressUpdate.objects.select_related("partner", "author", "sign_off").get(pk=pk)
    ).data


register(
    Kind(
        key="update",
        noun="update",
        plural="updates",
        opens="action",
        waiting=_update_waiting,
        fetch=_update_fetch,
        get=_update_get,
        decide=_update_decide,
        may_decide=_update_may_decide,
        describe=_update_describe,
        api_data=_update_api_data,
        api_record=_update_api_record,
    )
)
