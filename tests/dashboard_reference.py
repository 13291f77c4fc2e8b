"""A plain, row-by-row recount of the dashboard's figures, for the tests to compare with.

It reads every action's state through actionplan.selectors.action_states (the
end-of-quarter rule, one action at a time in Python) and counts in Python, so it
shares nothing with the SQL aggregation in actionplan.figures.
"""

from collections import Counter

from actionplan import rules, selectors
from actionplan.models import Action


def states(plan, *, quarter=None, partner=None, theme=None):
    actions = Action.objects.filter(plan=plan)
    if theme is not None:
        actions = actions.filter(theme=theme)
    if partner is not None:
        actions = actions.filter(partners=partner)
    return selectors.action_states(actions.select_related("theme"), quarter=quarter, partner=partner)


def rag_key(state):
    return state.rag or rules.NOT_REPORTED


def recount(rows):
    """Expected tally figures for a list of ActionState."""
    counted = [s for s in rows if s.status not in rules.EXCLUDED_STATUSES]
    return {
        "total": len(rows),
        "status": {k: v for k, v in Counter(s.status for s in rows).items()},
        "rag": {k: v for k, v in Counter(rag_key(s) for s in rows).items()},
        "overdue": sum(1 for s in rows if s.is_overdue),
        "slipped": sum(1 for s in rows if s.due_date != s.action.due_date),
        "average": (sum(s.percent_complete for s in counted) / len(counted)) if counted else None,
    }


def as_dict(tally):
    return {
        "total": tally.total,
        "status": {k: v for k, v in tally.status.items() if v},
        "rag": {k: v for k, v in tally.rag.items() if v},
        "overdue": tally.overdue,
        "slipped": tally.slipped,
        "average": tally.average_percent,
    }


def severity(state):
    return {"blue": 0, "green": 1, "amber": 2, "red": 3}[state.rag]


def change_kinds(now_rows, before_rows):
    """{action id: kind} for the actions that changed, by the documented rules."""
    before = {s.action.pk: s for s in before_rows}
    kinds = {}
    for s in now_rows:
        old = before[s.action.pk]
        if s.update is None:
            continue
        if old.update is None:
            kinds[s.action.pk] = "added"
        elif s.status == "completed":
            if old.status != "completed":
                kinds[s.action.pk] = "completed"
        elif s.status in rules.EXCLUDED_STATUSES:
            continue
        elif severity(s) > severity(old):
            kinds[s.action.pk] = "worsened"
        elif severity(s) < severity(old):
            kinds[s.action.pk] = "improved"
    return kinds
