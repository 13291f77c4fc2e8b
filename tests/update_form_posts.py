"""The update form's answers as a browser posts them, for the tests of the update page."""

from core.quarters import Quarter

Q3 = Quarter(2022, 3)


def form_data(action=None, **overrides):
    newest = action.updates.order_by("-id").first() if action else None
    data = {
        "seen_update_id": str(newest.pk) if newest else "",
        "quarter": str(Q3.code),
        "partner": "",
        "change": "changed",
        "no_change_reason": "",
        "status": "in_progress",
        "rag": "green",
        "percent_complete": "60",
        "commentary": "Pilot finished; roll-out to the second site started.",
        "next_steps": "Finish the second site.",
        "revised_due_date_0": "",
        "revised_due_date_1": "",
        "revised_due_date_2": "",
        "revision_reason": "",
    }
    data.update(overrides)
    return data


def update_url(action):
    return f"/actions/{action.pk}/update/"
