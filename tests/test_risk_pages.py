"""The register, its heat map, a risk's page and the owner's review form."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplan import services as action_services
from actionplan.factories import UpdateFactory
from risks.factories import FurtherActionFactory, ReviewFactory, RiskFactory
from risks.models import RiskReview
from tests.conftest import Q3


@pytest.fixture
def risk(strategy, theme, officer):
    return RiskFactory(
        strategy=strategy, theme=theme, owner=officer, reference="R1", title="Ransomware attack"
    )


def test_the_register_lists_risks_with_score_band_and_movement(client, councillor, risk):
    ReviewFactory(risk=risk, period=20222, likelihood=3, impact=4)
    ReviewFactory(risk=risk, period=Q3.code, likelihood=4, impact=5, commentary="New variant in the sector.")
    client.force_login(councillor)
    page = client.get("/risks/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ransomware attack" in text
    assert "↑</span> Risen" in text  # the reporting quarter, Q3, by default
    assert "→</span> Unchanged" in client.get("/risks/?quarter=20224").content.decode()  # Q3's stands
    assert 'aria-label="1 risk with likelihood 4 Likely and impact 5 Catastrophic: score 20, high"' in text


def test_a_heat_map_cell_links_to_its_risks(client, councillor, risk, strategy, theme):
    other = RiskFactory(strategy=strategy, theme=theme, reference="R2", title="Data centre lost")
    ReviewFactory(risk=risk, period=Q3.code, likelihood=4, impact=5, commentary="x")
    ReviewFactory(risk=other, period=Q3.code, likelihood=2, impact=2)
    client.force_login(councillor)
    page = client.get("/risks/?likelihood=4&impact=5")
    text = page.content.decode()
    assert "Ransomware attack" in text and "Data centre lost" not in text
    assert "1 risk matching the filter, of 2" in text


def test_the_register_as_at_a_past_quarter(client, councillor, risk):
    ReviewFactory(risk=risk, period=20221, likelihood=5, impact=5, commentary="x")
    ReviewFactory(risk=risk, period=Q3.code, likelihood=1, impact=2)
    client.force_login(councillor)
    text = client.get("/risks/?quarter=20221").content.decode()
    assert "as at the end of 2022/23 Q1" in text
    assert 'score 25, high"' in text


def test_a_bad_filter_says_so(client, councillor, risk):
    client.force_login(councillor)
    page = client.get("/risks/?band=purple")
    assert page.status_code == 400
    assert "There is a problem" in page.content.decode()


@pytest.mark.parametrize("how_many", [2, 10])
def test_the_register_page_takes_the_same_queries_for_any_number_of_risks(
    client, councillor, strategy, theme, how_many
):
    for n in range(how_many):
        ReviewFactory(risk=RiskFactory(strategy=strategy, theme=theme, reference=f"R{n}"), period=Q3.code)
    client.force_login(councillor)
    client.get("/risks/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/risks/").status_code == 200
    assert len(queries) == 11, [q["sql"] for q in queries.captured_queries]


def test_a_risks_page_shows_scores_history_further_actions_and_flags_a_red_action(
    client, councillor, risk, action
):
    risk.mitigating_actions.set([action])
    UpdateFactory(action=action, rag="red", commentary="The supplier has gone into administration.")
    FurtherActionFactory(risk=risk, description="Move backups to immutable storage")
    ReviewFactory(risk=risk, period=Q3.code, likelihood=3, impact=5, commentary="Phishing up this quarter.")
    client.force_login(councillor)
    text = client.get(f"/risks/{risk.pk}/").content.decode()
    assert "Move backups to immutable storage" in text
    assert "mitigating this risk is red or overdue: 1.1" in text
    assert "Phishing up this quarter." in text
    assert "Review this risk" not in text  # a councillor reads only


def test_the_owner_reviews_from_the_risks_page(client, officer, risk):
    client.force_login(officer)
    page = client.get(f"/risks/{risk.pk}/")
    assert "Review this risk" in page.content.decode()
    answer = client.post(
        f"/risks/{risk.pk}/review/",
        {
            "quarter": Q3.code,
            "likelihood": 2,
            "impact": 3,
            "control_effectiveness": "effective",
            "controls": "Offline backups.",
            "commentary": "",
        },
    )
    assert answer.status_code == 302
    assert RiskReview.objects.get().score == 6


def test_every_problem_is_shown_at_once_and_what_was_typed_is_kept(client, officer, risk):
    client.force_login(officer)
    page = client.post(f"/risks/{risk.pk}/review/", {"quarter": Q3.code, "likelihood": 5, "impact": 5,
                                                      "controls": "Typed controls stay"})  # fmt: skip
    text = page.content.decode()
    assert page.status_code == 200
    assert "Choose how effective the controls are" in text
    assert "above the risk&#x27;s appetite" in text
    assert "Typed controls stay" in text
    assert not RiskReview.objects.exists()


def test_a_second_reviewer_sees_the_newer_review_and_keeps_their_answers(
    client, officer, administrator, risk
):
    client.force_login(officer)
    seen = client.get(f"/risks/{risk.pk}/").context["form"]["seen_review_id"].value()
    ReviewFactory(risk=risk, author=administrator, period=Q3.code, likelihood=2, impact=2)
    page = client.post(
        f"/risks/{risk.pk}/review/",
        {"seen_review_id": seen or "", "quarter": Q3.code, "likelihood": 1, "impact": 3,
         "control_effectiveness": "effective", "controls": "Mine"},
    )  # fmt: skip
    text = page.content.decode()
    assert "after you opened this form" in text and "Mine" in text
    assert RiskReview.objects.count() == 1


def test_another_officer_cannot_review(client, colleague, risk):
    client.force_login(colleague)
    assert client.post(f"/risks/{risk.pk}/review/", {"quarter": Q3.code}).status_code == 403


def test_a_locked_quarter_is_not_offered(client, officer, administrator, risk):
    action_services.quarter_lock(quarter=Q3, user=administrator)
    client.force_login(officer)
    form = client.get(f"/risks/{risk.pk}/").context["form"]
    assert [c for c, _ in form.fields["quarter"].choices] == [20224]


@pytest.mark.parametrize("reviews", [2, 9])
def test_a_risks_page_takes_the_same_queries_for_any_length_of_history(
    client, councillor, risk, action, reviews
):
    risk.mitigating_actions.set([action])
    for n in range(reviews):
        ReviewFactory(
            risk=risk, period=[20214, 20221, 20222, 20223][n % 4], likelihood=1 + n % 5, commentary="x"
        )
    client.force_login(councillor)
    client.get(f"/risks/{risk.pk}/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/risks/{risk.pk}/").status_code == 200
    assert len(queries) == 8, [q["sql"] for q in queries.captured_queries]
