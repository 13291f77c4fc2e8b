"""The audit history page: by record and by person, administrators only."""

import pytest
from django.utils.html import escape
from simple_history.utils import update_change_reason

from actionplan.factories import UpdateFactory
from actionplan.models import Action

pytestmark = pytest.mark.django_db


def _edit_action(action, user, **fields):
    for name, value in fields.items():
        setattr(action, name, value)
    action._history_user = user
    action.save()
    return action


@pytest.mark.parametrize("who", ["officer", "colleague", "councillor", "board_member", "stranger"])
def test_only_administrators_read_the_audit_history(client, request, who, action):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/audit/").status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/audit/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_record_history_shows_who_changed_which_field(client, administrator, action):
    _edit_action(action, administrator, title="Roll out 500 laptops")
    update_change_reason(action, "Board asked for a number")
    client.force_login(administrator)
    response = client.get("/audit/", {"kind": "actionplan.action", "record": action.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Every version of this record" in html
    assert "Created" in html and "Changed" in html
    assert "Roll out 500 laptops" in html
    assert "Board asked for a number" in html
    assert escape(administrator.display_name) in html  # en_GB names include O'Neill
    assert response.context["entries"][0].changes[0][0] == "title"


def test_progress_updates_are_their_own_audit_records(client, administrator, action, officer):
    update = UpdateFactory(action=action, author=officer, commentary="Rolled out")
    client.force_login(administrator)
    response = client.get("/audit/", {"kind": "actionplan.progressupdate"})
    [entry] = response.context["entries"]
    assert (entry.object_id, entry.change, entry.user) == (update.pk, "Added", officer)


def test_by_person_lists_only_what_that_person_did(client, administrator, action, officer, colleague):
    _edit_action(action, administrator, title="Changed by the admin")
    UpdateFactory(action=action, author=officer)
    client.force_login(administrator)
    response = client.get("/audit/", {"person": officer.pk})
    entries = response.context["entries"]
    assert entries and {e.user for e in entries} == {officer}
    response = client.get("/audit/", {"person": administrator.pk})
    assert {e.kind for e in response.context["entries"]} == {"actionplan.action"}


def test_pages_newest_first_and_cost_the_same_whatever_the_history(
    client, administrator, action, django_assert_max_num_queries
):
    for n in range(60):
        _edit_action(action, administrator, title=f"Version {n}")
    client.force_login(administrator)
    with django_assert_max_num_queries(40):
        first = client.get("/audit/")
    entries = first.context["entries"]
    assert len(entries) == 50 and first.context["has_older"]
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)
    second = client.get("/audit/", {"page": 2})
    assert second.context["entries"][-1].change == "Created"


def test_record_number_without_a_kind_is_explained(client, administrator):
    client.force_login(administrator)
    response = client.get("/audit/", {"record": "12"})
    assert "Choose the kind of record the number belongs to" in response.content.decode()


def test_audit_page_escapes_what_people_typed(client, administrator, action):
    _edit_action(action, administrator, title="<script>alert(1)</script>")
    client.force_login(administrator)
    html = client.get("/audit/", {"kind": "actionplan.action", "record": action.pk}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert Action.objects.get(pk=action.pk).title == "<script>alert(1)</script>"
