"""/api/v1/risks/ and /api/v1/risks/<id>/reviews/: the register, history, and adding a review."""

import pytest
from rest_framework.test import APIClient

from actionplan import services as action_services
from risks.factories import ReviewFactory, RiskFactory
from risks.models import RiskReview
from tests.conftest import Q3


@pytest.fixture
def risk(strategy, theme, officer):
    return RiskFactory(strategy=strategy, theme=theme, owner=officer, reference="R1", appetite=8)


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


GOOD = {"quarter": "2022/23 Q3", "likelihood": 2, "impact": 3, "control_effectiveness": "effective",
        "controls": "Offline backups"}  # fmt: skip


def test_the_register_lists_current_scores_with_the_pages_filters(councillor, risk, strategy, theme):
    ReviewFactory(risk=risk, period=20222, likelihood=2, impact=2)
    ReviewFactory(risk=risk, period=Q3.code, likelihood=4, impact=4, commentary="Up")
    RiskFactory(strategy=strategy, theme=theme, reference="R2")
    body = _client(councillor).get("/api/v1/risks/?quarter=20223").json()
    assert body["count"] == 2 and body["quarter"] == "2022/23 Q3"
    first = body["results"][0]
    assert first["current"] | {} == {
        "review_id": first["current"]["review_id"], "quarter": "2022/23 Q3", "likelihood": 4, "impact": 4,
        "score": 16, "band": "high", "outside_appetite": True, "movement": "up", "pending": False,
    }  # fmt: skip
    assert first["inherent"]["score"] == 20
    assert body["results"][1]["current"]["score"] is None
    assert _client(councillor).get("/api/v1/risks/?band=high").json()["count"] == 1
    bad = _client(councillor).get("/api/v1/risks/?band=purple")
    assert bad.status_code == 400 and "band" in bad.json()["errors"]


def test_one_risk(councillor, risk):
    answer = _client(councillor).get(f"/api/v1/risks/{risk.pk}/")
    assert answer.status_code == 200 and answer.json()["reference"] == "R1"
    assert answer["ETag"] == '"0"'


def test_the_owner_adds_a_review_based_on_the_version_they_saw(officer, risk):
    client = _client(officer)
    seen = client.get(f"/api/v1/risks/{risk.pk}/reviews/")["ETag"]
    answer = client.post(f"/api/v1/risks/{risk.pk}/reviews/", GOOD, format="json", HTTP_IF_MATCH=seen)
    assert answer.status_code == 201, answer.json()
    assert answer.json()["score"] == 6 and answer.json()["sign_off"] == "counted"
    assert answer["ETag"] == f'"{RiskReview.objects.get().pk}"'


def test_a_stale_version_is_a_conflict_with_the_newer_review(officer, administrator, risk):
    newer = ReviewFactory(risk=risk, author=administrator, period=Q3.code)
    answer = _client(officer).post(
        f"/api/v1/risks/{risk.pk}/reviews/", GOOD, format="json", HTTP_IF_MATCH='"0"'
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "conflict" and answer.json()["newer_review"]["id"] == newer.pk
    assert RiskReview.objects.count() == 1


def test_every_problem_comes_back_at_once(officer, risk):
    answer = _client(officer).post(
        f"/api/v1/risks/{risk.pk}/reviews/",
        {"quarter": "someday", "likelihood": 9, "impact": 5, "control_effectiveness": "effective"},
        format="json",
    )
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"quarter", "likelihood", "controls"}


def test_commentary_is_required_when_outside_appetite(officer, risk):
    answer = _client(officer).post(
        f"/api/v1/risks/{risk.pk}/reviews/", {**GOOD, "likelihood": 4, "impact": 4}, format="json"
    )
    assert answer.status_code == 400
    assert "above the risk's appetite of 8" in answer.json()["errors"]["commentary"][0]


def test_a_locked_quarter_is_refused(officer, administrator, risk):
    action_services.quarter_lock(quarter=Q3, user=administrator)
    answer = _client(officer).post(f"/api/v1/risks/{risk.pk}/reviews/", GOOD, format="json")
    assert answer.status_code == 400 and "locked" in answer.json()["errors"]["quarter"][0]


def test_another_officer_is_refused(colleague, risk):
    answer = _client(colleague).post(f"/api/v1/risks/{risk.pk}/reviews/", GOOD, format="json")
    assert answer.status_code == 403 and not RiskReview.objects.exists()


def test_the_history_is_newest_first(councillor, risk):
    ReviewFactory(risk=risk, period=20222)
    latest = ReviewFactory(risk=risk, period=Q3.code)
    body = _client(councillor).get(f"/api/v1/risks/{risk.pk}/reviews/").json()
    assert body["results"][0]["id"] == latest.pk and body["count"] == 2


def test_the_schema_still_builds(administrator):
    assert _client(administrator).get("/api/v1/schema/").status_code == 200
