"""The tests' oracle of the end-of-quarter rule: an independent re-implementation by search.

Production code reads the rule's answer from the derived state (actionplan.derived
writes ActionQuarterState and Action.latest_update). These searches find it again
straight from the updates, with a subquery per action, so the tests can compare the
stored state against something that shares nothing with how it was written but the
order (rules.STATE_ORDER).
"""

from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from actionplan import rules
from actionplan.models import Action, ProgressUpdate
from core.quarters import Quarter


def latest_update_subquery(*, quarter: Quarter | None = None, partner=None, outer="pk"):
    """Subquery giving the id of an action's state update: its latest update (by
    rules.STATE_ORDER) for a period up to `quarter` (None: any), overall or `partner`'s own."""
    # Only updates that count: those needing no sign-off, and those approved.
    updates = ProgressUpdate.objects.filter(
        Q(needs_sign_off=False) | Q(sign_off__decision="approved"), action=OuterRef(outer)
    )
    if quarter is not None:
        updates = updates.filter(period__lte=quarter.code)
    if partner is None:
        updates = updates.filter(partner__isnull=True)
    else:
        updates = updates.filter(partner=partner)
    return Subquery(updates.order_by(*rules.STATE_ORDER).values("id")[:1])


def state_subquery(*, quarter: Quarter | None = None, partner=None, outer="pk"):
    """The state update's id: for a partner, its own latest update, else the overall state."""
    overall = latest_update_subquery(quarter=quarter, outer=outer)
    if partner is None:
        return overall
    return Coalesce(latest_update_subquery(quarter=quarter, partner=partner, outer=outer), overall)


def searched_state_id(action, quarter: Quarter | None = None, partner=None) -> int | None:
    """The id of `action`'s state update at the end of `quarter` (None: now), by search."""
    rows = Action.objects.filter(pk=action.pk)
    return (
        rows.annotate(searched=state_subquery(quarter=quarter, partner=partner))
        .values_list("searched", flat=True)
        .get()
    )
