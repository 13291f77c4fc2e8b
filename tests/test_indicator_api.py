"""The indicators API: the scorecard's figures, an indicator's values, and adding one with the
same errors and If-Match rule as the updates API."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from actionplan import services as action_services
from core.quarters import Quarter
from indicators.factories import IndicatorFactory, TargetFactory, ValueFactory
from indicators.models import IndicatorValue

D = Decimal
Q2, Q3 = Quarter(2022, 2), Quarter(2022, 3)


@pytest.fixture
def indicator(strategy, theme, officer):
    indicator = IndicatorFactory(
        strategy=strategy, theme=theme, owner=officer, code="PI 3.1", polarity="lower"
    )
    TargetFactory(indicator=indicator, year=2022, target=D(4), tolerance=D(25), tolerance_kind="share")
    ValueFactory(indicator=indicator, period_end=Q2.last_day, actual=D("4.8"))
    return indicator


def _client(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_the_list_carries_each_indicators_figure(councillor, indicator):
    response = _client(councillor).get("/api/v1/indicators/?year=2022&quarter=2")
    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item["code"] == "PI 3.1"
    assert item["figure"] == {
        "period": "2022/23 Q2",
        "actual": "4.80",
        "target": "4.00",
        "rag": "amber",
        "vs_previous": "not_compared",
        "vs_year_earlier": "not_compared",
    }
    assert response.json()["quarter"] == "2022/23 Q2"


def test_list_filters_are_checked(councillor, indicator):
    response = _client(councillor).get("/api/v1/indicators/?partner=XYZ&theme=abc")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"partner", "theme"}


def test_the_values_history_and_its_etag(councillor, indicator):
    response = _client(councillor).get(f"/api/v1/indicators/{indicator.pk}/values/")
    assert response.status_code == 200
    newest = IndicatorValue.objects.get()
    assert response["ETag"] == f'"{newest.pk}"'
    assert response.json()["results"][0]["period"] == "2022/23 Q2"


def test_the_owner_adds_a_value(officer, indicator):
    etag = _client(officer).get(f"/api/v1/indicators/{indicator.pk}/values/")["ETag"]
    response = _client(officer).post(
        f"/api/v1/indicators/{indicator.pk}/values/",
        {"period": "2022/23 Q3", "actual": "3.9"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 201, response.json()
    assert response.json()["actual"] == "3.90"
    assert response["ETag"] == f'"{response.json()["id"]}"'


def test_every_problem_at_once(officer, indicator):
    response = _client(officer).post(
        f"/api/v1/indicators/{indicator.pk}/values/",
        {"period": "Q9", "actual": "7", "partner": "MBC", "numerator": "x"},
        format="json",
        HTTP_IF_MATCH="nonsense",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"period", "partner", "numerator", "If-Match"}
    assert IndicatorValue.objects.count() == 1


def test_red_needs_commentary(officer, indicator):
    response = _client(officer).post(
        f"/api/v1/indicators/{indicator.pk}/values/",
        {"period": "2022/23 Q3", "actual": "6"},
        format="json",
        HTTP_IF_MATCH=f'"{IndicatorValue.objects.get().pk}"',
    )
    assert response.status_code == 400
    assert "what caused the red" in response.json()["errors"]["commentary"][0]


def test_a_stale_version_gets_409_with_the_newer_value(officer, administrator, indicator):
    seen = IndicatorValue.objects.get().pk
    newer = ValueFactory(indicator=indicator, period_end=Q2.last_day, actual=D(4), author=administrator)
    response = _client(officer).post(
        f"/api/v1/indicators/{indicator.pk}/values/",
        {"period": "2022/23 Q3", "actual": "3.5", "based_on": seen},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["newer_value"]["id"] == newer.pk
    assert response["ETag"] == f'"{newer.pk}"'


def test_a_locked_quarter_is_refused(officer, administrator, indicator):
    action_services.quarter_lock(quarter=Q3, user=administrator)
    response = _client(officer).post(
        f"/api/v1/indicators/{indicator.pk}/values/",
        {"period": "2022/23 Q3", "actual": "3.5"},
        format="json",
        HTTP_IF_MATCH=f'"{IndicatorValue.objects.get().pk}"',
    )
    assert response.status_code == 400
    assert "locked" in response.json()["errors"]["period"][0]


@pytest.mark.parametrize("who, status", [("colleague", 403), ("councillor", 403), (None, 401)])
def test_only_the_owner_and_administrators_add(request, indicator, who, status):
    user = request.getfixturevalue(who) if who else None
    response = _client(user).post(
        f"/api/v1/indicators/{indicator.pk}/values/", {"period": "2022/23 Q3", "actual": "3"}, format="json"
    )
    assert response.status_code == status
    assert response.json()["code"] in ("permission_denied", "not_authenticated")


def test_an_unknown_indicator_is_a_json_404(councillor):
    response = _client(councillor).get("/api/v1/indicators/999/values/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
