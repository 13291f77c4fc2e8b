"""The derived state of actions, and its one writer: refresh().

Two things are derived from an action's updates, partners, plan and theme, and both
are written here and nowhere else:

- `Action.latest_update`: the current overall state (the end-of-quarter rule at the
  plan year's last quarter), so lists and filters read "now" without a subquery;
- `ActionQuarterState`: the state at the end of every quarter of the plan's year,
  for each partner served and for the whole action, with the figures the dashboard
  counts (decision 0003). The whole action's row is the roll-up of its councils'
  rows (rules.roll_up; decision 0005), so every figure of the whole action, on every
  page, is the worst of its councils'.

actionplan.signals calls refresh() whenever an action, its partners, its plan, its
theme or one of its updates is saved (the update service, the admin, imports and the
factories in tests), so no caller has to remember. Bulk writes send no signals: the
demo loader and benchmarks call refresh() once afterwards, and
`manage.py rebuild_quarter_states` repairs everything.
"""

from __future__ import annotations

from collections import namedtuple

from django.db import transaction

from actionplan import rules
from actionplan.models import Action, ActionQuarterState, ProgressUpdate
from core.quarters import year_quarters

Status = ProgressUpdate.Status

# What the derived state needs of an update: the rule's key (rules.state_key), the figures
# and where it stands in sign-off (rules.sign_off_state).
_STATE_FIELDS = ("pk", "action_id", "partner_id", "period", "created_at", "status", "rag", "percent_complete",
                 "revised_due_date", "sign_off")  # fmt: skip
_Update = namedtuple("_Update", _STATE_FIELDS)


def refresh(actions=None, *, chunk_size: int = 2000) -> int:
    """Recompute the derived state of `actions` (a queryset; default every action). Idempotent.

    Returns the number of ActionQuarterState rows written.
    """
    actions = Action.objects.all() if actions is None else actions
    ids = list(actions.order_by("pk").values_list("pk", flat=True))
    written = 0
    with transaction.atomic():
        for start in range(0, len(ids), chunk_size):
            chunk = ids[start : start + chunk_size]
            rows, pointers = _derive(chunk)
            ActionQuarterState.objects.filter(action_id__in=chunk).delete()
            ActionQuarterState.objects.bulk_create(rows, batch_size=1000)
            _write_pointers(pointers)
            written += len(rows)
    return written


def _write_pointers(pointers: dict[int, int | None]) -> None:
    """Set Action.latest_update where it differs, in one statement per batch
    (bulk_update: no signal, no history row)."""
    current = dict(Action.objects.filter(pk__in=list(pointers)).values_list("pk", "latest_update_id"))
    changed = [
        Action(pk=action_id, latest_update_id=update_id)
        for action_id, update_id in pointers.items()
        if current.get(action_id) != update_id
    ]
    Action.objects.bulk_update(changed, ["latest_update"], batch_size=500)


def _derive(action_ids: list[int]) -> tuple[list[ActionQuarterState], dict[int, int | None]]:
    """The state rows and the latest-update pointers of some actions, from their sources."""
    facts = Action.objects.filter(pk__in=action_ids).values_list(
        "pk", "plan_id", "plan__year", "theme_id", "theme__number", "reference", "due_date"
    )
    served: dict[int, list[int]] = {}
    through = Action.partners.through
    for action_id, partner_id in through.objects.filter(action_id__in=action_ids).values_list(
        "action_id", "partnerauthority_id"
    ):
        served.setdefault(action_id, []).append(partner_id)
    histories: dict[tuple, list] = {}
    # The whole action's updates of any sign-off state: a submitted one is a return received.
    returns: dict[int, list] = {}
    updates = ProgressUpdate.objects.filter(action_id__in=action_ids).values_list(
        *_STATE_FIELDS[:-1], "needs_sign_off", "sign_off__decision"
    )
    for *fields, needs_sign_off, decision in updates:
        update = _Update(*fields, rules.sign_off_state(needs_sign_off, decision))
        if update.partner_id is None:
            returns.setdefault(update.action_id, []).append(update)
        # Only counted updates make a state (the end-of-quarter rule; rules.counted_q).
        if update.sign_off == rules.COUNTED:
            histories.setdefault((update.action_id, update.partner_id), []).append(update)
    for history in histories.values():
        history.sort(key=rules.state_key)
    rows, pointers = [], {}
    for action_id, plan_id, year, theme_id, theme_number, reference, due_date in facts:
        overall = histories.get((action_id, None), [])
        # Updates are only for quarters of the plan's year, so "now" is the newest counted one.
        pointers[action_id] = overall[-1].pk if overall else None
        for quarter in year_quarters(year):
            code, before = quarter.code, quarter.previous().code
            common = {
                "action_id": action_id,
                "plan_id": plan_id,
                "theme_id": theme_id,
                "theme_number": theme_number,
                "reference": reference,
                "period": code,
            }
            state, earlier = rules.state_at(overall, code), rules.state_at(overall, before)
            partner_rows = []
            for partner_id in served.get(action_id, []):
                own = histories.get((action_id, partner_id), [])
                partner_rows.append(
                    _state_row(
                        common,
                        partner_id,
                        rules.state_at(own, code) or state,
                        rules.state_at(own, before) or earlier,
                        due_date,
                    )
                )
            row = _state_row(common, None, state, earlier, due_date)
            row.received = any(rules.is_received(u, code) for u in returns.get(action_id, ()))
            if partner_rows:
                _roll_up(row, partner_rows, due_date)
            rows.append(row)
            rows.extend(partner_rows)
    return rows, pointers


def _roll_up(row: ActionQuarterState, partner_rows: list[ActionQuarterState], original_due) -> None:
    """Give the whole action's row the roll-up of its councils' rows (rules.roll_up).

    The row keeps its overall update (update_id, update_period): that is the action's
    return for the quarter, and the commentary shown for the whole action.
    """
    councils = [_figures(r) for r in partner_rows]
    rolled = rules.roll_up(councils)
    row.status, row.rag, row.percent_complete = rolled.status, rolled.rag, rolled.percent_complete
    row.due_date = rolled.due_date
    # The biggest move at any council still counted, so one council's slippage reaches the board.
    counted = [r for r in partner_rows if r.status not in rules.EXCLUDED_STATUSES] or partner_rows
    row.slip_days = max(r.slip_days for r in counted)
    row.partners_differ = rules.differing(councils)
    before = [
        rules.Figures(r.previous_status, rules.NOT_REPORTED, 0, original_due)
        for r in partner_rows
        if r.previous_status
    ]
    # A council with no state a quarter earlier is "not started" then, unless none had one.
    if before:
        missing = len(partner_rows) - len(before)
        before += [rules.Figures(Status.NOT_STARTED, rules.NOT_REPORTED, 0, original_due)] * missing
        row.previous_status = rules.roll_up(before).status
    else:
        row.previous_status = ""


def _figures(row: ActionQuarterState) -> rules.Figures:
    return rules.Figures(row.status, row.rag, row.percent_complete, row.due_date)


def _state_row(common: dict, partner_id, state, earlier, original_due) -> ActionQuarterState:
    """One row from the state update at the quarter's end and the one a quarter before (or None)."""
    if state is None:
        figures = {"status": Status.NOT_STARTED, "rag": rules.NOT_REPORTED, "percent_complete": 0}
        update_id = update_period = revised = None
    else:
        figures = {"status": state.status, "rag": state.rag, "percent_complete": state.percent_complete}
        update_id, update_period, revised = state.pk, state.period, state.revised_due_date
    due = rules.due_date(original_due, revised)
    return ActionQuarterState(
        **common,
        **figures,
        partner_id=partner_id,
        update_id=update_id,
        update_period=update_period,
        due_date=due,
        slip_days=(due - original_due).days,
        previous_status=earlier.status if earlier else "",
    )
