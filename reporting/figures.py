"""The report's figures: the dashboard's roll-ups, plus the rows the tables need.

Every count (by RAG, status, theme and partner; overdue; slipped; average %
complete; what changed) is taken from actionplan.figures, the same module that
draws the dashboard, so the board's PDF and the committee's screen cannot
disagree. The tables need each action's full state (lead, partners, commentary,
next steps): those come from actionplan.selectors.action_states, the one
implementation of the end-of-quarter rule that the roll-ups also use.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from actionplan import figures as rollups
from actionplan import rules
from actionplan.figures import Rollup, Tally
from actionplan.selectors import ActionState, Rag, Status, action_states

__all__ = ["Rollup", "Tally", "Changes", "rollup_for", "states_at"]


def rollup_for(plan, quarter) -> Rollup:
    return rollups.summary(plan, quarter)


def states_at(actions, *, quarter, partner=None) -> list[ActionState]:
    return action_states(actions, quarter=quarter, partner=partner)


@dataclass(frozen=True)
class Change:
    state: ActionState
    line: rollups.ActionLine

    @property
    def before_label(self) -> str:
        return self.line.previous_rag_label or "not yet reported"


@dataclass(frozen=True)
class Changes:
    """The roll-up's changes since the previous quarter, in the board's words."""

    since: object
    new_reds: list[Change]
    recoveries: list[Change]
    completions: list[Change]
    slipped: list[tuple[ActionState, ActionState]]

    @property
    def any(self) -> bool:
        return bool(self.new_reds or self.recoveries or self.completions or self.slipped)


def changes(rollup: Rollup, states: dict[int, ActionState], previous: dict[int, ActionState]) -> Changes:
    """New reds and recoveries (RAG worsened to red / improved), completions, and
    due dates that moved later during the quarter."""
    lines = rollup.changes.lines

    def pick(kind, keep=lambda line: True):
        return [Change(states[line.action_id], line) for line in lines[kind] if keep(line)]

    slipped = [
        (state, previous[pk])
        for pk, state in states.items()
        if pk in previous and state.due_date > previous[pk].due_date
    ]
    return Changes(
        since=rollup.changes.since,
        new_reds=pick("worsened", lambda line: line.rag == Rag.RED)
        + pick("added", lambda line: line.rag == Rag.RED),
        recoveries=pick("improved"),
        completions=pick("completed"),
        slipped=slipped,
    )


def exceptions(states: list[ActionState]) -> list[ActionState]:
    """Every red, then every amber action: what the board must discuss. An action is here
    when any council's delivery is red or amber (its state is the worst of its councils')."""
    shown = (Rag.RED, Rag.AMBER)
    return sorted((s for s in states if s.rag in shown), key=lambda s: rules.rag_rank(s.rag))


def name_councils(states: list[ActionState], kind: str, *, quarter) -> list[ActionState]:
    """`states`, each naming the councils behind its `kind` figure (rollups.NOTE_KINDS)
    where only some of the councils it serves make it, as the dashboard's lists do."""
    differing = [s for s in states if s.partners_differ and s.period]
    if not differing:
        return states
    notes = rollups.council_notes(
        ((s.action.pk, s.status, s.rag_key, s.due_date, s.slipped_days) for s in differing),
        period=differing[0].period,
        as_of=quarter.last_day,
    )
    named = []
    for state in states:
        note = notes.get(state.action.pk, {})
        if kind == "rag" and "rag_update" in note:
            # An exception at one council is explained by that council's own update.
            state = dataclasses.replace(state, update=note["rag_update"])
        if kind in note:
            state = dataclasses.replace(
                state,
                councils=note[kind],
                councils_reason=note.get("slipped_reason", "") if kind == "slipped" else "",
            )
        named.append(state)
    return named


def completed(tally: Tally) -> int:
    return tally.status[Status.COMPLETED]
