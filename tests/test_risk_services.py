"""Storing a risk review (risks.services) and reading the register (risks.selectors)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplan import services as action_services
from actionplan.factories import UpdateFactory
from core.quarters import Quarter
from risks import selectors, services
from risks.factories import ReviewFactory, RiskFactory
from risks.models import RiskReview
from tests.conftest import Q3, at

Q2, Q4 = Quarter(2022, 2), Quarter(2022, 4)


def draft(**answers):
    return services.ReviewDraft(
        **{
            "quarter": Q3,
            "likelihood": 3,
            "impact": 2,
            "control_effectiveness": "effective",
            "controls": "Immutable backups; tested restores.",
            **answers,
        }
    )


@pytest.fixture
def risk(strategy, theme, officer):
    return RiskFactory(strategy=strategy, theme=theme, owner=officer, reference="R1", appetite=8)


def test_the_owner_reviews_their_risk(risk, officer):
    review = services.review_create(risk=risk, author=officer, draft=draft())
    assert (review.period, review.score, review.author) == (Q3.code, 6, officer)
    assert not review.needs_sign_off


def test_an_administrator_may_review_any_risk(risk, administrator):
    assert services.review_create(risk=risk, author=administrator, draft=draft()).pk


def test_another_officer_cannot_review_it(risk, colleague, councillor):
    for person in (colleague, councillor):
        with pytest.raises(PermissionDenied):
            services.review_create(risk=risk, author=person, draft=draft())
    assert not RiskReview.objects.exists()


def test_every_problem_is_reported_at_once_and_nothing_is_stored(risk, officer):
    with pytest.raises(ValidationError) as raised:
        services.review_create(
            risk=risk,
            author=officer,
            draft=services.ReviewDraft(quarter=None, likelihood=7, control_effectiveness="great"),
        )
    assert set(raised.value.message_dict) == {
        "quarter", "likelihood", "impact", "control_effectiveness", "controls",
    }  # fmt: skip
    assert not RiskReview.objects.exists()


def test_commentary_is_required_when_the_score_rises(risk, officer):
    ReviewFactory(risk=risk, period=Q2.code, likelihood=2, impact=2)
    errors = services.review_errors(risk=risk, draft=draft(likelihood=3, impact=2))
    assert errors["commentary"] == ["Enter commentary. The score has risen from 4 to 6: say why."]
    assert services.review_errors(risk=risk, draft=draft(likelihood=2, impact=2)) == {}


def test_commentary_is_required_when_outside_appetite(risk, officer):
    errors = services.review_errors(risk=risk, draft=draft(likelihood=3, impact=3))
    assert "above the risk's appetite of 8" in errors["commentary"][0]
    ok = services.review_create(
        risk=risk, author=officer, draft=draft(likelihood=3, impact=3, commentary="Why.")
    )
    assert ok.score == 9


def test_a_locked_quarter_takes_no_review(risk, officer, administrator):
    action_services.quarter_lock(quarter=Q3, user=administrator)
    with pytest.raises(ValidationError) as raised:
        services.review_create(risk=risk, author=officer, draft=draft(quarter=Q3))
    assert raised.value.message_dict["quarter"] == [
        "2022/23 Q3 is locked because it has been reported to the board. Reviews can be added for 2022/23 Q4."
    ]
    assert services.review_create(risk=risk, author=officer, draft=draft(quarter=Q4)).period == Q4.code


def test_a_quarter_not_started_takes_no_review(risk, officer):
    errors = services.review_errors(risk=risk, draft=draft(quarter=Quarter(2023, 1)))
    assert "not a quarter this risk can be reviewed for" in errors["quarter"][0]


def test_a_second_reviewer_is_told_rather_than_overwriting(risk, officer, administrator):
    first = services.review_create(risk=risk, author=administrator, draft=draft(), seen_review_id=None)
    with pytest.raises(services.ReviewConflict) as raised:
        services.review_create(risk=risk, author=officer, draft=draft(likelihood=2), seen_review_id=None)
    assert raised.value.newer == first
    assert RiskReview.objects.count() == 1


def test_a_double_submit_stores_one_review(risk, officer):
    first = services.review_create(risk=risk, author=officer, draft=draft(), seen_review_id=None)
    again = services.review_create(risk=risk, author=officer, draft=draft(), seen_review_id=None)
    assert again == first and RiskReview.objects.count() == 1


def test_text_loses_control_characters_and_is_bounded(risk, officer):
    review = services.review_create(risk=risk, author=officer, draft=draft(controls="Backups\x0bdaily\x00 "))
    assert review.controls == "Backups\ndaily"
    errors = services.review_errors(risk=risk, draft=draft(commentary="x" * 10_001))
    assert errors["commentary"] == ["Commentary must be 10,000 characters or fewer (it is 10,001)."]


def test_with_sign_off_on_a_review_is_submitted_and_does_not_count(risk, officer, strategy):
    strategy.updates_need_sign_off = True
    strategy.save()
    review = services.review_create(risk=risk, author=officer, draft=draft())
    assert review.needs_sign_off and review.sign_off_state == "pending"
    row = selectors.register(strategy, quarter=Q3).rows[0]
    assert row.review is None and row.pending


# --- the register ------------------------------------------------------------------


def test_the_register_as_at_a_past_quarter_shows_that_quarters_scores(risk, strategy):
    ReviewFactory(risk=risk, period=Q2.code, likelihood=4, impact=4, created_at=at(2022, 9, 1))
    ReviewFactory(risk=risk, period=Q3.code, likelihood=2, impact=4, created_at=at(2022, 12, 1))
    at_q2 = selectors.register(strategy, quarter=Q2).rows[0]
    at_q3 = selectors.register(strategy, quarter=Q3).rows[0]
    assert (at_q2.score, at_q2.band.level, at_q2.outside_appetite) == (16, "high", True)
    assert (at_q3.score, at_q3.band.level, at_q3.movement.key) == (8, "medium", "down")
    assert at_q3.previous.score == 16
    now = selectors.register(strategy).rows[0]  # the reporting quarter, Q3, by default
    assert (now.score, now.movement.key, now.reviewed_this_quarter) == (8, "down", True)
    at_q4 = selectors.register(strategy, quarter=Q4).rows[0]  # not reviewed yet: Q3's stands
    assert (at_q4.score, at_q4.movement.key, at_q4.reviewed_this_quarter) == (8, "unchanged", False)


def test_a_risk_identified_later_or_closed_earlier_is_not_in_the_register(strategy, theme, officer):
    RiskFactory(strategy=strategy, theme=theme, identified_on=datetime.date(2022, 11, 1), reference="R7")
    RiskFactory(strategy=strategy, theme=theme, closed_on=datetime.date(2022, 6, 30), reference="R8")
    assert [r.risk.reference for r in selectors.register(strategy, quarter=Quarter(2022, 1)).rows] == ["R8"]
    assert [r.risk.reference for r in selectors.register(strategy, quarter=Q3).rows] == ["R7"]


def test_the_heat_maps_counts_equal_a_direct_count(strategy, theme):
    import random

    chooser = random.Random(17)
    for n in range(30):
        r = RiskFactory(strategy=strategy, theme=theme, reference=f"H{n}")
        for period in (Q2.code, Q3.code):
            if chooser.random() < 0.8:
                ReviewFactory(
                    risk=r, period=period, likelihood=chooser.randint(1, 5), impact=chooser.randint(1, 5)
                )
    register = selectors.register(strategy, quarter=Q3)
    for line in register.heat_rows:
        for cell in line:
            direct = sum(
                1
                for r in strategy.risks.all()
                if (
                    latest := r.reviews.filter(period__lte=Q3.code)
                    .order_by("-period", "-created_at", "-id")
                    .first()
                )
                and (latest.likelihood, latest.impact) == (cell.likelihood, cell.impact)
            )
            assert cell.count == direct, cell
    assert sum(c.count for line in register.heat_rows for c in line) == len(register.rows) - len(
        register.not_reviewed
    )


def test_filters_narrow_the_register(strategy, theme, officer, colleague):
    high = RiskFactory(strategy=strategy, theme=theme, owner=officer, reference="R1", appetite=10)
    low = RiskFactory(strategy=strategy, theme=theme, owner=colleague, reference="R2", appetite=10)
    ReviewFactory(risk=high, period=Q2.code, likelihood=3, impact=4)
    ReviewFactory(risk=high, period=Q3.code, likelihood=4, impact=4)
    ReviewFactory(risk=low, period=Q3.code, likelihood=1, impact=2)

    def refs(**f):
        return [
            r.risk.reference
            for r in selectors.register(strategy, quarter=Q3, filters=selectors.Filters(**f)).rows
        ]

    assert refs(band="high") == ["R1"]
    assert refs(band="low") == ["R2"]
    assert refs(owner=colleague) == ["R2"]
    assert refs(outside_appetite=True) == ["R1"]
    assert refs(moved="up") == ["R1"]
    assert refs(moved="new") == ["R2"]
    assert refs(likelihood=4, impact=4) == ["R1"]


@pytest.mark.parametrize("how_many", [3, 12])
def test_the_register_takes_the_same_queries_for_any_number_of_risks(strategy, theme, how_many):
    for n in range(how_many):
        r = RiskFactory(strategy=strategy, theme=theme, reference=f"Q{n}")
        ReviewFactory(risk=r, period=Q2.code)
        ReviewFactory(risk=r, period=Q3.code)
    with CaptureQueriesContext(connection) as queries:
        register = selectors.register(strategy, quarter=Q3)
        assert len(register.rows) == how_many
    assert len(queries) == 3


def test_a_risk_whose_mitigating_action_is_red_or_overdue_is_flagged(risk, action, officer):
    risk.mitigating_actions.set([action])
    assert not any(m.flagged for m in selectors.mitigations(risk))
    UpdateFactory(action=action, rag="red", commentary="Supplier late.")
    assert [m.flagged for m in selectors.mitigations(risk)] == [True]


def test_the_history_shows_each_counted_reviews_movement(risk, officer):
    ReviewFactory(risk=risk, period=Q2.code, likelihood=2, impact=2, created_at=at(2022, 9, 1))
    ReviewFactory(risk=risk, period=Q3.code, likelihood=3, impact=2, created_at=at(2022, 12, 1))
    entries = selectors.history(risk, selectors.bands(risk.strategy))
    assert [(e.review.score, e.movement.key) for e in entries] == [(6, "up"), (4, "new")]
