"""Draft and closed plans are labelled on every page that shows them, and only quarters
that have ended are offered as an "as at" picture."""

import pytest

from actionplan.factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_action(strategy, theme, officer):
    plan = PlanFactory(strategy=strategy, year=2023, status="draft")
    return ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="1.1")


def test_the_draft_plans_dashboard_says_it_is_a_draft(client, councillor, draft_action, plan):
    client.force_login(councillor)
    html = client.get("/?year=2023").content.decode()
    assert "Action plan 2023/24 (draft)" in html
    assert "This plan is a draft" in html
    assert '<option value="2023" selected>2023/24 (draft)</option>' in html
    approved = client.get("/?year=2022").content.decode()
    assert "This plan is a draft" not in approved and "Action plan 2022/23</h1>" in approved
    assert '<option value="2023">2023/24 (draft)</option>' in approved


def test_the_action_list_and_page_label_a_draft_plan(client, councillor, draft_action):
    client.force_login(councillor)
    listed = client.get("/actions/?year=2023").content.decode()
    assert "2023/24 (draft plan)" in listed
    assert '<option value="2023" selected>2023/24 (draft)</option>' in listed
    page = client.get(f"/actions/{draft_action.pk}/").content.decode()
    assert "2023/24 action plan (draft)" in page


def test_as_at_refuses_a_quarter_that_has_not_ended(client, councillor, action):
    client.force_login(councillor)
    # 16 January 2023: Q3 has ended, Q4 has not.
    assert client.get("/actions/?year=2022&as_at=20223").status_code == 200
    response = client.get("/actions/?year=2022&as_at=20224")
    assert "2022/23 Q4 has not ended yet" in response.content.decode()
    assert response.context["states"] == []
    api = client.get("/api/v1/actions/?year=2022&as_at=20224")
    assert api.status_code == 400 and "as_at" in api.json()["errors"]
