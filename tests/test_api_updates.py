"""POST /api/v1/actions/<id>/updates/: every problem in one 400, and the quarter rule."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actionplan.factories import ActionFactory, PlanFactory
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


@pytest.fixture
def earlier_action(strategy, theme, officer):
    plan = PlanFactory(strategy=strategy, year=2021, status=ActionPlan.Status.APPROVED)
    return ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="9.1")


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
