"""Security review, findings 1 and 2: an update's text is bounded, and holds no control characters.

Each limit is actionplan.models.UPDATE_TEXT_LIMITS, read by the model, the service,
the form's hint and the API alike.
"""

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actionplan import exports
from actionplan.factories import UpdateFactory
from actionplan.models import UPDATE_TEXT_LIMITS, ProgressUpdate
from tests.conftest import add_update
from tests.update_form_posts import form_data, update_url

pytestmark = pytest.mark.django_db

LIMITS = list(UPDATE_TEXT_LIMITS.items())


@pytest.fixture
def api(officer):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=officer)[0].key}")
    return client


def test_the_limits_are_the_reviewed_ones():
    assert UPDATE_TEXT_LIMITS == {"commentary": 10_000, "next_steps": 10_000, "revision_reason": 5_000}


@pytest.mark.parametrize("field,limit", LIMITS)
def test_the_form_refuses_text_over_the_limit_and_keeps_the_answer(client, officer, action, field, limit):
    client.force_login(officer)
    extra = {"revised_due_date_0": "30", "revised_due_date_1": "6", "revised_due_date_2": "2023"}
    data = form_data(action, **{**extra, "revision_reason": "Supplier late.", field: "x" * (limit + 1)})
    response = client.post(update_url(action), data)
    assert response.status_code == 200
    (error,) = response.context["form"].errors[field]
    assert error.endswith(f" must be {limit:,} characters or fewer (it is {limit + 1:,}).")
    assert response.context["form"][field].value() == "x" * (limit + 1)
    assert not ProgressUpdate.objects.exists()


def test_the_form_accepts_text_at_the_limit_and_names_it(client, officer, action):
    client.force_login(officer)
    page = client.get(update_url(action)).content.decode()
    assert "At most 10,000 characters." in page
    assert "maxlength" not in page  # a browser would cut a paste off without saying so
    response = client.post(update_url(action), form_data(action, commentary="y" * 10_000))
    assert response.status_code == 302
    assert len(ProgressUpdate.objects.get().commentary) == 10_000


@pytest.mark.parametrize("field,limit", LIMITS)
def test_the_service_refuses_text_over_the_limit(action, officer, field, limit):
    """The API, imports and scripts all come through here, not only the form."""
    answers = {
        "revised_due_date": action.due_date,
        "revision_reason": "Supplier late.",
        field: "z" * (limit + 1),
    }
    with pytest.raises(ValidationError) as refused:
        add_update(action, officer, **answers)
    assert f"{limit:,} characters or fewer" in refused.value.message_dict[field][0]
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize("field,limit", LIMITS)
def test_the_model_refuses_text_over_the_limit(action, officer, field, limit):
    update = UpdateFactory.build(action=action, author=officer, **{field: "z" * (limit + 1)})
    with pytest.raises(ValidationError) as refused:
        update.full_clean(exclude=["action", "author", "partner"])
    assert field in refused.value.message_dict


def test_the_api_refuses_a_huge_commentary(api, action):
    body = {"quarter": "2022/23 Q3", "status": "in_progress", "rag": "amber", "percent_complete": 40}
    response = api.post(
        f"/api/v1/actions/{action.pk}/updates/", {**body, "commentary": "c" * 2_400_000}, format="json"
    )
    assert response.status_code == 400
    assert "commentary" in response.json()["errors"]
    assert not ProgressUpdate.objects.exists()


# --- Finding 2: control characters -------------------------------------------------------


def test_control_characters_sent_through_the_api_are_not_stored(api, action):
    body = {
        "quarter": "2022/23 Q3",
        "status": "in_progress",
        "rag": "amber",
        "percent_complete": 40,
        "commentary": "Bell\x07 escape\x1b[31m line\x0bbreak",
        "next_steps": "Page\x0cbreak",
    }
    response = api.post(f"/api/v1/actions/{action.pk}/updates/", body, format="json")
    assert response.status_code == 201, response.content
    update = ProgressUpdate.objects.get()
    assert update.commentary == "Bell escape[31m line\nbreak"
    assert update.next_steps == "Page\nbreak"


def test_tabs_and_line_breaks_are_kept(action, officer):
    update = add_update(action, officer, commentary="one\ttwo\r\nthree\nfour")
    assert update.commentary == "one\ttwo\r\nthree\nfour"


def test_the_excel_export_survives_control_characters_already_stored(client, administrator, action, officer):
    """An update stored before the mend (the factory bypasses the service) still exports."""
    UpdateFactory(action=action, author=officer, rag="amber", commentary="late\x07\x0b\x1bsupplier")
    client.force_login(administrator)
    response = client.get(f"/admin/actionplan/actionplan/{action.plan_id}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert sheet[2][header.index("Commentary")].value == "late\nsupplier"
    assert load_workbook(io.BytesIO(exports.export_xlsx(action.plan))).active.max_row == 2
