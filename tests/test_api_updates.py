"""POST /api/v1/actions/<id>/updates/: every problem in one 400, and the quarter rule."""

import datetime

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actionplan.factories import ActionFactory
from actionplan.models import ActionPlan, ProgressUpdate, QuarterLock

pytestmark = pytest.mark.django_db

UPDATE = {"quarter": "2022/23 Q3", "status": "in_progress", "rag": "green", "percent_complete": 40}


@pytest.fixture
def api(officer):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=officer)[0].key}")
    return client


def post(api, action, body):
    return api.post(f"/api/v1/actions/{action.pk}/updates/", body, format="json")


def test_format_errors_and_rule_errors_come_back_together(api, action):
    body = {**UPDATE, "rag": "red", "percent_complete": 140, "revised_due_date": "2023-06-30"}
    response = post(api, action, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"percent_complete", "commentary", "revision_reason"}
    assert "less than or equal to 100" in errors["percent_complete"][0]  # the format's message only
    assert errors["commentary"] == ["Enter commentary explaining why the action is amber or red."]
    assert not ProgressUpdate.objects.exists()


def test_an_unreadable_quarter_and_the_rules_together(api, action):
    response = post(api, action, {**UPDATE, "quarter": "Q9", "rag": "amber", "partner": "XYZ"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"quarter", "partner", "commentary"}
    assert errors["quarter"] == ['Enter a quarter such as "2022/23 Q3".']


def test_rule_errors_alone_are_all_listed(api, action):
    QuarterLock.objects.create(period=20223)
    response = post(api, action, {"quarter": "2022/23 Q3", "status": "in_progress"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"quarter", "rag", "percent_complete"}
    assert errors["quarter"][0].startswith("2022/23 Q3 is locked")


@pytest.mark.parametrize(
    "status,message",
    [
        (ActionPlan.Status.CLOSED, "The 2022/23 action plan is closed: updates can no longer be added."),
        (
            ActionPlan.Status.DRAFT,
            "The 2022/23 action plan is still a draft: updates can be added once it has been approved.",
        ),
    ],
)
@pytest.mark.parametrize("with_quarter", [True, False])
def test_a_closed_or_draft_plan_is_400_with_a_clear_message(api, action, status, message, with_quarter):
    ActionPlan.objects.filter(pk=action.plan_id).update(status=status)
    body = UPDATE if with_quarter else {k: v for k, v in UPDATE.items() if k != "quarter"}
    response = post(api, action, body)
    assert response.status_code == 400
    assert response.json()["errors"] == {"quarter": [message]}
    assert not ProgressUpdate.objects.exists()


def test_an_earlier_plans_action_refuses_another_years_quarter(api, earlier_action):
    response = post(api, earlier_action, UPDATE)
    assert response.status_code == 400
    assert response.json()["errors"]["quarter"][0].startswith(
        "This action is in the 2021/22 action plan: report on a quarter of 2021/22."
    )


def test_the_default_quarter_is_one_the_action_can_take(api, earlier_action):
    """2022/23 Q3 is the reporting quarter, but not of a 2021/22 action: its latest open one is."""
    body = {k: v for k, v in UPDATE.items() if k != "quarter"}
    response = post(api, earlier_action, body)
    assert response.status_code == 201, response.content
    assert response.json()["quarter"] == "2021/22 Q4"


def test_a_quarter_not_yet_started_is_400(api, action, settings):
    settings.PORTAL_TODAY = "2022-08-15"
    response = post(api, action, UPDATE)
    assert response.status_code == 400
    assert response.json()["errors"]["quarter"][0].startswith("2022/23 Q3 has not started yet.")


# --- "no_change": the same copy as the form's -------------------------------------------


@pytest.fixture
def amber(action):
    from actionplan.factories import UpdateFactory

    last = UpdateFactory(
        action=action,
        period=20222,
        rag="amber",
        percent_complete=35,
        commentary="Waiting on the supplier.",
        next_steps="Chase the supplier.",
        revised_due_date=datetime.date(2023, 6, 30),
        revision_reason="Supplier late.",
    )
    return last


def test_no_change_copies_the_last_update(api, action, amber):
    body = {"quarter": "2022/23 Q3", "no_change": True, "commentary": "Still waiting.", "based_on": amber.pk}
    response = post(api, action, body)
    assert response.status_code == 201, response.content
    stored = response.json()
    assert {k: stored[k] for k in ("status", "rag", "percent_complete", "next_steps", "revision_reason")} == {
        "status": "in_progress",
        "rag": "amber",
        "percent_complete": 35,
        "next_steps": "Chase the supplier.",
        "revision_reason": "Supplier late.",
    }
    assert (stored["revised_due_date"], stored["no_change"], stored["commentary"]) == (
        "2023-06-30",
        True,
        "Still waiting.",
    )


def test_no_change_for_a_partner_copies_that_partners_state(api, action, amber, swale):
    from actionplan.factories import UpdateFactory

    mine = UpdateFactory(
        action=action, period=20222, partner=swale, rag="red", percent_complete=10, commentary="x"
    )
    body = {"no_change": True, "partner": "SBC", "commentary": "Same for Swale.", "based_on": mine.pk}
    response = post(api, action, body)
    assert response.status_code == 201, response.content
    assert (response.json()["rag"], response.json()["percent_complete"]) == ("red", 10)


def test_no_change_without_a_reason_or_with_a_different_value_is_400(api, action, amber):
    response = post(api, action, {"no_change": True, "percent_complete": 80, "based_on": amber.pk})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"commentary", "percent_complete"}
    assert errors["commentary"] == ["Enter why nothing has changed."]
    assert not ProgressUpdate.objects.filter(no_change=True).exists()


def test_no_change_with_nothing_to_copy_is_400(api, action):
    response = post(api, action, {"no_change": True, "commentary": "Nothing yet."})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "no_change": ["There is no earlier update to copy: record the position instead."]
    }


# --- Not a quarter that ended before the action started ----------------------------------


def test_a_quarter_before_the_action_starts_is_400_and_not_the_default(api, plan, theme, officer):
    action = ActionFactory(plan=plan, theme=theme, lead_officer=officer, start_date=datetime.date(2023, 1, 9))
    response = post(api, action, UPDATE)
    assert response.status_code == 400
    assert response.json()["errors"]["quarter"] == [
        "2022/23 Q3 ended before this action's start date, 9 January 2023. "
        "Updates can be added for 2022/23 Q4."
    ]
    # Left out, the quarter is one the action can take: the reporting quarter (Q3) is not.
    response = post(api, action, {k: v for k, v in UPDATE.items() if k != "quarter"})
    assert response.status_code == 201, response.content
    assert response.json()["quarter"] == "2022/23 Q4"
