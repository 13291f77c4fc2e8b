"""The API: every endpoint for every role, filters, pagination, errors."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actionplan.factories import ActionFactory, UpdateFactory
from actionplan.models import ProgressUpdate
from reporting.models import BoardReport

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "officer", "colleague", "councillor", "board_member"]


@pytest.fixture
def api():
    return APIClient()


def as_user(request, api, who):
    if who == "anonymous":
        return api
    user = request.getfixturevalue(who)
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return api


def list_urls(action, theme, plan, strategy, maidstone):
    return {
        "partners": ("/api/v1/partners/", f"/api/v1/partners/{maidstone.pk}/"),
        "strategies": ("/api/v1/strategies/", f"/api/v1/strategies/{strategy.pk}/"),
        "themes": ("/api/v1/themes/", f"/api/v1/themes/{theme.pk}/"),
        "plans": ("/api/v1/plans/", f"/api/v1/plans/{plan.pk}/"),
        "actions": ("/api/v1/actions/", f"/api/v1/actions/{action.pk}/"),
        "updates": (f"/api/v1/actions/{action.pk}/updates/", None),
        "reports": ("/api/v1/reports/", None),
    }


@pytest.mark.parametrize(
    "endpoint", ["partners", "strategies", "themes", "plans", "actions", "updates", "reports"]
)
@pytest.mark.parametrize(
    "who,expected",
    [*((role, 200) for role in ROLES), ("stranger", 403), ("anonymous", 401)],
)
def test_every_role_reads_every_list_and_outsiders_are_refused(
    request, api, endpoint, who, expected, action, theme, plan, strategy, maidstone
):
    client = as_user(request, api, who)
    list_url, detail_url = list_urls(action, theme, plan, strategy, maidstone)[endpoint]

    response = client.get(list_url)
    assert response.status_code == expected, response.content
    assert response["Content-Type"] == "application/json"
    if expected == 200:
        assert response.json()["count"] >= 1 or endpoint in ("updates", "reports")
    else:
        assert response.json()["detail"]
    if detail_url:
        assert client.get(detail_url).status_code == expected


def test_anonymous_is_told_how_to_authenticate(api, action):
    response = api.get("/api/v1/actions/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


def test_a_wrong_token_is_401(api, action):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api.get("/api/v1/actions/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_session_sign_in_works_for_the_browser(api, councillor, action):
    api.force_login(councillor)
    assert api.get(f"/api/v1/actions/{action.pk}/").json()["reference"] == "1.1"


# --- adding updates: who may -------------------------------------------------

UPDATE = {"quarter": "2022/23 Q3", "status": "in_progress", "rag": "green", "percent_complete": 40}


@pytest.mark.parametrize(
    "who,expected",
    [
        ("officer", 201),  # leads the action
        ("administrator", 201),
        ("colleague", 403),  # an officer, but not this action's lead
        ("councillor", 403),
        ("board_member", 403),
        ("stranger", 403),
        ("anonymous", 401),
    ],
)
def test_only_the_lead_or_an_administrator_adds_an_update(request, api, who, expected, action):
    client = as_user(request, api, who)
    response = client.post(f"/api/v1/actions/{action.pk}/updates/", UPDATE, format="json")
    assert response.status_code == expected, response.content
    assert ProgressUpdate.objects.count() == (1 if expected == 201 else 0)


def test_an_update_is_stored_through_the_service(request, api, action, officer):
    client = as_user(request, api, "officer")
    response = client.post(
        f"/api/v1/actions/{action.pk}/updates/",
        {**UPDATE, "rag": "amber", "commentary": "Supplier late", "partner": "SBC"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["quarter"] == "2022/23 Q3"
    assert body["partner"] == "SBC"
    assert body["author"]["username"] == "priya"
    assert response["ETag"] == f'"{body["id"]}"'
    update = ProgressUpdate.objects.get()
    assert (update.period, update.rag, update.partner.short_name) == (20223, "amber", "SBC")


def test_completed_needs_no_rag_and_is_blue_and_100(request, api, action):
    client = as_user(request, api, "officer")
    response = client.post(f"/api/v1/actions/{action.pk}/updates/", {"status": "completed"}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["rag"], response.json()["percent_complete"]) == ("blue", 100)


def test_quarter_defaults_to_the_reporting_quarter(request, api, action):
    client = as_user(request, api, "officer")
    body = {k: v for k, v in UPDATE.items() if k != "quarter"}
    response = client.post(f"/api/v1/actions/{action.pk}/updates/", body, format="json")
    # 16 January 2023 is in the first month of Q4, so Q3 is still being reported.
    assert response.json()["quarter"] == "2022/23 Q3"


# --- concurrency -------------------------------------------------------------


def test_history_carries_the_version_as_an_etag(request, api, action):
    client = as_user(request, api, "councillor")
    assert client.get(f"/api/v1/actions/{action.pk}/updates/")["ETag"] == '"0"'
    update = UpdateFactory(action=action)
    assert client.get(f"/api/v1/actions/{action.pk}/updates/")["ETag"] == f'"{update.pk}"'
    assert client.get(f"/api/v1/actions/{action.pk}/")["ETag"] == f'"{update.pk}"'


def test_a_stale_version_gets_409_with_the_newer_update(request, api, action, colleague):
    seen = UpdateFactory(action=action, percent_complete=30)
    newer = UpdateFactory(action=action, percent_complete=35, commentary="Added by the admin")
    client = as_user(request, api, "officer")

    response = client.post(
        f"/api/v1/actions/{action.pk}/updates/", UPDATE, format="json", HTTP_IF_MATCH=f'"{seen.pk}"'
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["current_version"] == newer.pk
    assert body["newer_update"]["commentary"] == "Added by the admin"
    assert response["ETag"] == f'"{newer.pk}"'
    assert ProgressUpdate.objects.count() == 2


def test_no_version_stated_when_updates_exist_is_a_conflict(request, api, action):
    existing = UpdateFactory(action=action)
    client = as_user(request, api, "officer")
    response = client.post(f"/api/v1/actions/{action.pk}/updates/", UPDATE, format="json")
    assert response.status_code == 409
    # Told which update they have not seen, and nothing stored over it.
    assert response.json()["newer_update"]["id"] == existing.pk
    assert response["ETag"] == f'"{existing.pk}"'
    assert list(action.updates.values_list("pk", flat=True)) == [existing.pk]


@pytest.mark.parametrize("how", ["if_match", "based_on"])
def test_the_current_version_is_accepted(request, api, action, how):
    current = UpdateFactory(action=action, percent_complete=30)
    client = as_user(request, api, "officer")
    extra = {"HTTP_IF_MATCH": f'W/"{current.pk}"'} if how == "if_match" else {}
    body = {**UPDATE, "based_on": current.pk} if how == "based_on" else UPDATE
    response = client.post(f"/api/v1/actions/{action.pk}/updates/", body, format="json", **extra)
    assert response.status_code == 201, response.content
    assert ProgressUpdate.objects.count() == 2


def test_a_double_submit_is_stored_once(request, api, action):
    client = as_user(request, api, "officer")
    first = client.post(f"/api/v1/actions/{action.pk}/updates/", UPDATE, format="json")
    again = client.post(f"/api/v1/actions/{action.pk}/updates/", UPDATE, format="json")
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert ProgressUpdate.objects.count() == 1


# --- error bodies ------------------------------------------------------------


@pytest.mark.parametrize(
    "body,field,words",
    [
        ({**UPDATE, "rag": "amber"}, "commentary", "commentary"),
        ({**UPDATE, "percent_complete": 140}, "percent_complete", "less than or equal to 100"),
        ({**UPDATE, "status": "finished"}, "status", "not a valid choice"),
        ({**UPDATE, "quarter": "Q9"}, "quarter", "2022/23 Q3"),
        ({**UPDATE, "quarter": "2023/24 Q1"}, "quarter", "in the 2022/23 action plan"),
        ({**UPDATE, "partner": "XYZ"}, "partner", "no partner"),
        ({**UPDATE, "revised_due_date": "2023-06-30"}, "revision_reason", "reason"),
        ({**UPDATE, "revised_due_date": "30/06/2023"}, "revised_due_date", "format"),
        ({"status": "in_progress"}, "rag", "RAG"),
        ({**UPDATE, "percent_complete": "lots"}, "percent_complete", "valid integer"),
    ],
)
def test_bad_input_is_400_with_a_message_for_the_field(request, api, action, body, field, words):
    client = as_user(request, api, "officer")
    response = client.post(f"/api/v1/actions/{action.pk}/updates/", body, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors
    assert words.lower() in " ".join(errors[field]).lower()
    assert not ProgressUpdate.objects.exists()


def test_a_locked_quarter_is_400(request, api, action, administrator):
    from actionplan import services
    from core.quarters import Quarter

    services.quarter_lock(quarter=Quarter(2022, 3), user=administrator)
    client = as_user(request, api, "officer")
    response = client.post(f"/api/v1/actions/{action.pk}/updates/", UPDATE, format="json")
    assert response.status_code == 400
    assert "locked" in response.json()["errors"]["quarter"][0]


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"status": null}'])
def test_malformed_bodies_are_400_not_500(request, api, action, body):
    client = as_user(request, api, "officer")
    response = client.post(f"/api/v1/actions/{action.pk}/updates/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] in ("invalid", "parse_error")


def test_a_bad_if_match_is_400(request, api, action):
    client = as_user(request, api, "officer")
    response = client.post(
        f"/api/v1/actions/{action.pk}/updates/", UPDATE, format="json", HTTP_IF_MATCH="yesterday"
    )
    assert response.status_code == 400
    assert "If-Match" in response.json()["errors"]


@pytest.mark.parametrize(
    "url",
    ["/api/v1/actions/999999/", "/api/v1/actions/999999/updates/", "/api/v1/nowhere/", "/api/v1/plans/1.5/"],
)
def test_not_found_is_json(request, api, action, url):
    client = as_user(request, api, "councillor")
    response = client.get(url)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_missing_slash_is_pointed_out(request, api):
    client = as_user(request, api, "councillor")
    assert "/api/v1/actions/" in client.get("/api/v1/actions").json()["detail"]


def test_reading_is_all_the_api_allows_on_reference_data(request, api, action):
    client = as_user(request, api, "administrator")
    assert client.post("/api/v1/partners/", {"name": "X"}, format="json").status_code == 405
    assert client.delete(f"/api/v1/actions/{action.pk}/").status_code == 405


# --- reports -----------------------------------------------------------------


@pytest.mark.parametrize(
    "who,expected",
    [
        ("administrator", 202),
        ("officer", 403),
        ("councillor", 403),
        ("board_member", 403),
        ("stranger", 403),
        ("anonymous", 401),
    ],
)
def test_only_administrators_ask_for_a_report(request, api, who, expected, strategy, plan):
    client = as_user(request, api, who)
    response = client.post("/api/v1/reports/", {"year": 2022, "quarter": 2, "send": False}, format="json")
    assert response.status_code == expected, response.content
    assert BoardReport.objects.count() == (1 if expected == 202 else 0)
    if expected == 202:
        assert response.json()["quarter"] == "2022/23 Q2"
        assert response.json()["state"] == "queued"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"year": 2022, "quarter": 5}, "quarter"),
        ({"year": 2023, "quarter": 1}, "quarter"),  # not started yet
        ({"quarter": 1}, "year"),
    ],
)
def test_a_bad_report_request_is_400(request, api, strategy, body, field):
    client = as_user(request, api, "administrator")
    response = client.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not BoardReport.objects.exists()


# --- filters, ordering, pagination -------------------------------------------


@pytest.fixture
def several(plan, theme, officer, colleague, maidstone, swale, strategy):
    from themes.factories import ThemeFactory

    resilience = ThemeFactory(strategy=strategy, number=3, title="Resilient solutions")
    red = ActionFactory(plan=plan, theme=theme, reference="1.2", lead_officer=officer, partners=[maidstone])
    green = ActionFactory(
        plan=plan,
        theme=resilience,
        reference="3.1",
        lead_officer=colleague,
        partners=[swale],
        title="Firewall renewal",
    )
    late = ActionFactory(
        plan=plan,
        theme=theme,
        reference="1.3",
        lead_officer=officer,
        partners=[swale],
        due_date=plan.quarters[1].last_day,
    )
    for action, rag in ((red, "red"), (green, "green")):
        UpdateFactory(action=action, rag=rag, commentary="Noted")
    return {"red": red, "green": green, "late": late}


@pytest.mark.parametrize(
    "query,expected",
    [
        ("rag=red", ["1.2"]),
        ("theme=3", ["3.1"]),
        ("partner=SBC", ["1.3", "3.1"]),
        ("lead=gareth", ["3.1"]),
        ("overdue=true", ["1.3"]),
        ("q=firewall", ["3.1"]),
        ("status=not_started", ["1.3"]),
        ("ordering=-reference", ["3.1", "1.3", "1.2"]),
        ("year=2021", []),
    ],
)
def test_actions_filter_like_the_page(request, api, several, query, expected):
    client = as_user(request, api, "councillor")
    response = client.get(f"/api/v1/actions/?{query}")
    assert response.status_code == 200
    assert [a["reference"] for a in response.json()["results"]] == expected


def test_an_invalid_filter_is_400(request, api, several):
    client = as_user(request, api, "councillor")
    response = client.get("/api/v1/actions/?rag=purple")
    assert response.status_code == 400
    assert "rag" in response.json()["errors"]


def test_actions_show_their_current_state(request, api, several):
    client = as_user(request, api, "councillor")
    body = client.get(f"/api/v1/actions/{several['red'].pk}/").json()
    assert body["current"]["rag"] == "red"
    assert body["partners"] == ["MBC"]
    late = client.get(f"/api/v1/actions/{several['late'].pk}/").json()
    assert late["current"] == {
        "status": "not_started",
        "rag": None,
        "percent_complete": 0,
        "due_date": "2022-09-30",
        "overdue": True,
        "update_id": None,
        "partners_differ": False,
    }


def test_pages_of_actions(request, api, several, action):
    client = as_user(request, api, "councillor")
    first = client.get("/api/v1/actions/?page_size=3").json()
    assert first["count"] == 4
    assert len(first["results"]) == 3
    second = client.get(first["next"]).json()
    assert [a["reference"] for a in second["results"]] == ["3.1"]
    assert client.get("/api/v1/actions/?page=9").status_code == 404


def test_reference_lists_search_and_order(request, api, maidstone, swale):
    client = as_user(request, api, "councillor")
    assert [p["short_name"] for p in client.get("/api/v1/partners/?search=swale").json()["results"]] == [
        "SBC"
    ]
    ordered = client.get("/api/v1/partners/?ordering=-short_name").json()["results"]
    assert [p["short_name"] for p in ordered] == ["SBC", "MBC"]


def test_the_action_list_query_count_does_not_grow(
    request, api, plan, theme, officer, maidstone, django_assert_max_num_queries
):
    client = as_user(request, api, "councillor")
    for _ in range(30):
        action = ActionFactory(plan=plan, theme=theme, lead_officer=officer, partners=[maidstone])
        UpdateFactory(action=action)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/actions/")
    assert response.json()["count"] == 30


# --- schema ------------------------------------------------------------------


def test_the_schema_and_docs_are_served(request, api):
    client = as_user(request, api, "councillor")
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/actions/{id}/updates/" in paths
    assert "409" in paths["/api/v1/actions/{id}/updates/"]["post"]["responses"]
    assert client.get("/api/v1/docs/").status_code == 200


# --- tokens ------------------------------------------------------------------


def test_administrators_issue_and_revoke_tokens_in_the_admin(client, api, administrator, officer, action):
    client.force_login(administrator)
    response = client.post("/admin/authtoken/tokenproxy/add/", {"user": officer.pk})
    assert response.status_code == 302, response.content
    key = Token.objects.get(user=officer).key
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/actions/").status_code == 200

    client.post(f"/admin/authtoken/tokenproxy/{officer.pk}/delete/", {"post": "yes"})
    assert not Token.objects.exists()
    assert api.get("/api/v1/actions/").status_code == 401


def test_officers_cannot_reach_tokens_in_the_admin(client, officer):
    officer.is_staff = True
    officer.save()
    client.force_login(officer)
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 403


@pytest.mark.parametrize(
    "url,expected",
    [
        ("/api/v1/actions/?theme=99999999999999999999999", 200),
        ("/api/v1/actions/?year=abc", 400),
        ("/api/v1/actions/?q=%00abc", 400),
        ("/api/v1/actions/?page_size=99999999999999999999", 200),
        ("/api/v1/actions/99999999999999999999999/", 404),
        ("/api/v1/actions/99999999999999999999999/updates/", 404),
        ("/api/v1/plans/?strategy=99999999999999999999999", 400),
    ],
)
def test_extreme_input_never_breaks_the_server(request, api, action, url, expected):
    client = as_user(request, api, "councillor")
    assert client.get(url).status_code == expected
