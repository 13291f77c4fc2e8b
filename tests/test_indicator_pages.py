"""The indicator pages: the scorecard and its links, an indicator's history and value form."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplan import services as action_services
from core.quarters import Quarter
from indicators.factories import IndicatorFactory, TargetFactory, ValueFactory
from indicators.models import IndicatorValue

D = Decimal
Q2, Q3 = Quarter(2022, 2), Quarter(2022, 3)


@pytest.fixture
def indicator(strategy, theme, officer):
    indicator = IndicatorFactory(
        strategy=strategy, theme=theme, owner=officer, code="PI 4.1", name="First-contact resolution"
    )
    TargetFactory(indicator=indicator, year=2022, target=D(70), tolerance=D(5))
    ValueFactory(indicator=indicator, period_end=Q2.last_day, actual=D("68.4"))
    ValueFactory(
        indicator=indicator, period_end=Q3.last_day, actual=D("61.0"), commentary="Two analysts left."
    )
    return indicator


def test_the_scorecard_shows_each_figure_linking_to_its_indicators(client, councillor, indicator):
    client.force_login(councillor)
    response = client.get("/indicators/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "First-contact resolution" in html and "61%" in html and "Worsening" in html
    assert response.context["card"].counts["red"] == 1
    red_link = next(item["url"] for item in response.context["count_links"] if item["key"] == "red")
    filtered = client.get("/indicators/" + red_link)
    assert [row.indicator for row in filtered.context["card"].rows] == [indicator]
    amber_link = next(item["url"] for item in response.context["count_links"] if item["key"] == "amber")
    assert client.get("/indicators/" + amber_link).context["card"].rows == []


def test_the_scorecard_as_at_a_past_quarter(client, councillor, indicator):
    client.force_login(councillor)
    response = client.get("/indicators/?year=2022&quarter=2")
    (row,) = response.context["card"].rows
    assert row.reading.actual == D("68.4") and row.rag == "amber"


def test_a_future_quarter_is_refused_with_a_message(client, councillor, indicator):
    client.force_login(councillor)
    response = client.get("/indicators/?year=2022&quarter=4")
    assert response.status_code == 200  # 2022/23 Q4 has started (16 January 2023)
    response = client.get("/indicators/?year=2023&quarter=1")
    assert "choose an earlier quarter" in response.content.decode() or response.context["form"].errors


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_scorecard_page_takes_the_same_queries_for_more_indicators(
    client, councillor, strategy, theme, officer
):
    def add(n):
        for _ in range(n):
            i = IndicatorFactory(strategy=strategy, theme=theme, owner=officer)
            TargetFactory(indicator=i, year=2022)
            for q in (Q2, Q3):
                ValueFactory(indicator=i, period_end=q.last_day, actual=D(91))

    client.force_login(councillor)
    client.get("/indicators/")  # the first request after signing in does the session's bookkeeping
    add(3)
    few = _page_queries(client, "/indicators/")
    add(30)
    assert _page_queries(client, "/indicators/") == few


def test_the_indicator_page_shows_its_history_as_a_chart_and_a_table(client, councillor, indicator):
    client.force_login(councillor)
    response = client.get(indicator.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert "2022/23 Q3: 61%, target 70%" in html  # the chart's description
    assert "Two analysts left." in html
    assert "How RAG and direction of travel are worked out" in html
    assert "Record a value" not in html  # not the owner


def test_the_owner_records_a_value(client, officer, indicator):
    client.force_login(officer)
    page = client.get(indicator.get_absolute_url())
    assert "Record a value" in page.content.decode()
    seen = page.context["form"]["seen_value_id"].value()
    response = client.post(
        indicator.get_absolute_url(),
        {"period": "2022/23 Q3", "actual": "72.5%", "commentary": "Recovered.", "seen_value_id": seen},
    )
    assert response.status_code == 302
    assert IndicatorValue.objects.order_by("-id").first().actual == D("72.5")


def test_every_error_at_once_and_what_was_typed_kept(client, officer, indicator):
    client.force_login(officer)
    response = client.post(
        indicator.get_absolute_url(),
        {"period": "", "actual": "lots", "numerator": "5", "commentary": "Typed by hand"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"period", "actual", "denominator"}
    html = response.content.decode()
    assert "There is a problem" in html and "Typed by hand" in html
    assert IndicatorValue.objects.count() == 2


def test_red_without_commentary_is_refused(client, officer, indicator):
    client.force_login(officer)
    response = client.post(indicator.get_absolute_url(), {"period": "2022/23 Q3", "actual": "50"})
    assert "what caused the red" in response.context["form"].errors["commentary"][0]


def test_someone_elses_newer_value_is_shown_and_nothing_overwritten(
    client, officer, administrator, indicator
):
    client.force_login(officer)
    seen = client.get(indicator.get_absolute_url()).context["form"]["seen_value_id"].value()
    ValueFactory(indicator=indicator, period_end=Q3.last_day, actual=D(66), author=administrator)
    response = client.post(
        indicator.get_absolute_url(),
        {"period": "2022/23 Q3", "actual": "71", "seen_value_id": seen},
    )
    assert response.status_code == 200
    assert response.context["conflict"].author == administrator
    assert 'value="71"' in response.content.decode()
    assert IndicatorValue.objects.count() == 3
    # Saving again, having seen it, records it.
    again = client.post(
        indicator.get_absolute_url(),
        {
            "period": "2022/23 Q3",
            "actual": "71",
            "seen_value_id": response.context["form"]["seen_value_id"].value(),
        },
    )
    assert again.status_code == 302 and IndicatorValue.objects.count() == 4


def test_another_officer_cannot_record(client, colleague, indicator):
    client.force_login(colleague)
    response = client.post(indicator.get_absolute_url(), {"period": "2022/23 Q3", "actual": "71"})
    assert response.status_code == 403


def test_locked_periods_are_not_offered(client, officer, administrator, indicator):
    action_services.quarter_lock(quarter=Q3, user=administrator)
    client.force_login(officer)
    form = client.get(indicator.get_absolute_url()).context["form"]
    labels = [label for _, label in form.fields["period"].choices]
    assert "2022/23 Q3" not in labels and "2022/23 Q2" not in labels
    assert "2022/23 Q4" not in labels  # not over until 31 March
    assert labels == ["Choose a period"]
    response = client.post(indicator.get_absolute_url(), {"period": "2022/23 Q3", "actual": "71"})
    assert "locked because it has been reported" in response.context["form"].errors["period"][0]
    assert datetime.date(2022, 12, 31) in set(IndicatorValue.objects.values_list("period_end", flat=True))
