"""Changing an id in the address or the body never reaches someone else's record."""

import pytest
from django.test import Client

from actionplan.factories import ActionFactory
from actionplan.models import ProgressUpdate

pytestmark = pytest.mark.django_db

PAGE_FORM = {
    "seen_update_id": "",
    "quarter": "20223",
    "partner": "",
    "change": "changed",
    "status": "in_progress",
    "rag": "green",
    "percent_complete": "60",
    "commentary": "Written by someone who does not lead this action",
    "next_steps": "",
    "revised_due_date_0": "",
    "revised_due_date_1": "",
    "revised_due_date_2": "",
    "revision_reason": "",
}
API_UPDATE = {"quarter": "2022/23 Q3", "status": "in_progress", "rag": "green", "percent_complete": 40}


@pytest.fixture
def colleagues_action(plan, theme, colleague, swale):
    return ActionFactory(plan=plan, theme=theme, lead_officer=colleague, reference="7.1", partners=[swale])


def test_officer_cannot_update_another_officers_action_by_changing_the_address(
    client, officer, action, colleagues_action
):
    client.force_login(officer)
    assert client.post(f"/actions/{action.pk}/update/", PAGE_FORM).status_code == 302
    response = client.post(f"/actions/{colleagues_action.pk}/update/", PAGE_FORM)
    assert response.status_code == 403
    assert list(ProgressUpdate.objects.values_list("action_id", flat=True)) == [action.pk]


def test_officer_cannot_update_another_officers_action_through_the_api(
    client, officer, action, colleagues_action
):
    client.force_login(officer)
    response = client.post(
        f"/api/v1/actions/{colleagues_action.pk}/updates/", API_UPDATE, content_type="application/json"
    )
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_ids_in_the_body_cannot_redirect_an_update_or_its_author(
    client, officer, colleague, action, colleagues_action
):
    client.force_login(officer)
    body = {**API_UPDATE, "action": colleagues_action.pk, "author": colleague.pk, "id": 999}
    response = client.post(f"/api/v1/actions/{action.pk}/updates/", body, content_type="application/json")
    assert response.status_code == 201
    update = ProgressUpdate.objects.get()
    assert (update.action_id, update.author_id) == (action.pk, officer.pk)


def test_the_page_form_ignores_a_smuggled_action_or_author(
    client, officer, colleague, action, colleagues_action
):
    client.force_login(officer)
    data = {**PAGE_FORM, "action": colleagues_action.pk, "author": colleague.pk, "lead_officer": officer.pk}
    client.post(f"/actions/{action.pk}/update/", data)
    update = ProgressUpdate.objects.get()
    assert (update.action_id, update.author_id) == (action.pk, officer.pk)
    colleagues_action.refresh_from_db()
    assert colleagues_action.lead_officer == colleague


@pytest.mark.parametrize(
    "path",
    [
        "/actions/999999/",
        "/actions/999999/update/",
        "/reports/999999/",
        "/reports/999999/download/",
        "/api/v1/actions/999999/",
        "/api/v1/actions/999999/updates/",
        "/api/v1/reports/999999/",
    ],
)
def test_unknown_ids_are_not_found(client, administrator, path):
    client.force_login(administrator)
    assert (
        client.get(path, HTTP_ACCEPT="application/json" if "/api/" in path else "text/html").status_code
        == 404
    )


def test_update_form_needs_the_csrf_token(officer, action):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post(f"/actions/{action.pk}/update/", PAGE_FORM)
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_api_with_a_session_needs_the_csrf_token_too(officer, action):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post(
        f"/api/v1/actions/{action.pk}/updates/", API_UPDATE, content_type="application/json"
    )
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_a_token_from_a_revoked_user_is_refused(officer, action):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=officer)
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}", "HTTP_ACCEPT": "application/json"}
    assert client.get("/api/v1/actions/", **auth).status_code == 200
    officer.is_active = False
    officer.save()
    assert client.get("/api/v1/actions/", **auth).status_code == 401
