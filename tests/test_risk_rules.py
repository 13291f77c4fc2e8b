"""The rules of a risk's score (risks.rules): levels, score, bands, appetite, movement, as at."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from risks import rules
from risks.factories import ReviewFactory, RiskFactory
from risks.models import RiskReview, ScoreBand
from tests.conftest import at


def test_levels_are_named_from_rare_to_almost_certain_and_minimal_to_catastrophic():
    assert [rules.likelihood_label(n) for n in rules.LEVELS] == [
        "1 Rare", "2 Unlikely", "3 Possible", "4 Likely", "5 Almost certain",
    ]  # fmt: skip
    assert [rules.impact_label(n) for n in rules.LEVELS] == [
        "1 Minimal", "2 Minor", "3 Moderate", "4 Major", "5 Catastrophic",
    ]  # fmt: skip


@pytest.mark.parametrize(("likelihood", "impact", "expected"), [(1, 1, 1), (2, 3, 6), (5, 4, 20), (5, 5, 25)])
def test_score_is_likelihood_times_impact(likelihood, impact, expected):
    assert rules.score(likelihood, impact) == expected


@pytest.mark.parametrize(("likelihood", "impact"), [(0, 3), (6, 1), (3, 0)])
def test_a_score_needs_levels_from_1_to_5(likelihood, impact):
    with pytest.raises(ValueError):
        rules.score(likelihood, impact)


@pytest.mark.parametrize(
    ("value", "band"),
    [(1, "low"), (4, "low"), (5, "medium"), (12, "medium"), (15, "high"), (25, "high")],
)
def test_default_bands_split_1_to_4_5_to_12_and_15_to_25(value, band):
    assert rules.band_of(value).level == band


def test_every_possible_score_has_a_default_band():
    products = {a * b for a in rules.LEVELS for b in rules.LEVELS}
    assert all(rules.band_of(p) is not rules.UNBANDED for p in products)


@pytest.mark.django_db
def test_a_strategy_sets_its_own_bands_and_a_gap_counts_as_the_band_above():
    risk = RiskFactory()
    ScoreBand.objects.create(strategy=risk.strategy, level="low", lowest=1, highest=3)
    ScoreBand.objects.create(strategy=risk.strategy, level="medium", lowest=4, highest=9)
    ScoreBand.objects.create(strategy=risk.strategy, level="high", lowest=12, highest=25)
    bands = rules.bands_from(risk.strategy.risk_bands.all())
    assert rules.band_of(4, bands).level == "medium"
    assert rules.band_of(10, bands).level == "high"  # between medium and high: never shown lower


@pytest.mark.django_db
def test_a_strategy_without_bands_has_the_defaults():
    risk = RiskFactory()
    assert rules.bands_from(risk.strategy.risk_bands.all()) == rules.DEFAULT_BANDS


@pytest.mark.django_db
def test_overlapping_bands_are_refused():
    risk = RiskFactory()
    ScoreBand.objects.create(strategy=risk.strategy, level="low", lowest=1, highest=5)
    with pytest.raises(ValidationError):
        ScoreBand(strategy=risk.strategy, level="medium", lowest=5, highest=12).full_clean()


def test_outside_appetite_is_above_the_highest_acceptable_score():
    assert not rules.outside_appetite(8, 8)
    assert rules.outside_appetite(9, 8)


@pytest.mark.parametrize(
    ("previous", "current", "key", "text"),
    [(None, 9, "new", "• First review"), (6, 9, "up", "↑ Risen"), (12, 9, "down", "↓ Fallen"),
     (9, 9, "unchanged", "→ Unchanged")],
)  # fmt: skip
def test_movement_against_the_previous_score_in_words_and_arrows(previous, current, key, text):
    moved = rules.movement(previous, current)
    assert (moved.key, moved.text) == (key, text)


def test_commentary_is_required_when_the_score_rises_or_is_outside_appetite():
    assert "risen from 6 to 9" in rules.commentary_required(previous=6, current=9, appetite=12)
    assert "above the risk's appetite of 8" in rules.commentary_required(previous=9, current=9, appetite=8)
    assert rules.commentary_required(previous=9, current=6, appetite=8) == ""
    assert rules.commentary_required(previous=None, current=6, appetite=8) == ""


@pytest.mark.django_db
def test_as_at_is_the_latest_review_at_or_before_the_quarters_end():
    risk = RiskFactory()
    q1 = ReviewFactory(risk=risk, period=20221, likelihood=4, impact=4, created_at=at(2022, 6, 20))
    q2_first = ReviewFactory(risk=risk, period=20222, likelihood=3, impact=4, created_at=at(2022, 9, 20))
    q2_correction = ReviewFactory(risk=risk, period=20222, likelihood=3, impact=3, created_at=at(2022, 9, 21))
    # Entered late for an earlier quarter: still Q1's, so Q2's picture keeps the correction.
    ReviewFactory(risk=risk, period=20221, likelihood=5, impact=5, created_at=at(2022, 10, 1))
    history = sorted(risk.reviews.all(), key=rules.review_key)
    assert rules.review_at(history, 20214) is None
    assert rules.review_at(history, 20221).score == 25
    assert rules.review_at(history, 20222) == q2_correction
    assert rules.review_at(history, 20223) == q2_correction  # not reviewed in Q3: Q2's stands
    assert q1 != q2_first


def test_a_risk_is_in_the_register_from_the_quarter_it_is_identified_until_closed():
    from core.quarters import Quarter

    identified, closed = datetime.date(2022, 5, 1), datetime.date(2022, 11, 30)
    assert not rules.in_register(identified, None, Quarter(2021, 4))
    assert rules.in_register(identified, None, Quarter(2022, 1))
    assert rules.in_register(identified, closed, Quarter(2022, 3))
    assert not rules.in_register(identified, closed, Quarter(2022, 4))


@pytest.mark.django_db
def test_reviews_are_never_edited_or_deleted():
    review = ReviewFactory()
    with pytest.raises(PermissionError):
        review.save()
    with pytest.raises(PermissionError):
        review.delete()
    with pytest.raises(PermissionError):
        RiskReview.objects.filter(pk=review.pk).update(likelihood=1)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["likelihood", "impact"])
@pytest.mark.parametrize("value", [0, 6])
def test_the_database_refuses_levels_outside_1_to_5(field, value):
    risk = RiskFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(risk=risk, **{field: value})


@pytest.mark.django_db
def test_the_database_refuses_a_period_that_is_no_quarter():
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(period=20225)


@pytest.mark.django_db
def test_a_reference_is_unique_within_its_strategy():
    risk = RiskFactory(reference="R1")
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskFactory(strategy=risk.strategy, theme=risk.theme, reference="R1")
    RiskFactory(reference="R1")  # another strategy's R1


@pytest.mark.django_db
def test_a_risks_theme_belongs_to_its_strategy_and_its_target_is_not_above_inherent():
    risk = RiskFactory()
    other = RiskFactory()
    risk.theme = other.theme
    risk.target_likelihood, risk.target_impact = 5, 5
    with pytest.raises(ValidationError) as raised:
        risk.full_clean()
    assert set(raised.value.message_dict) >= {"theme", "target_impact"}


@pytest.mark.django_db
def test_reviews_keep_a_history_for_the_audit_trail():
    review = ReviewFactory()
    assert review.history.count() == 1
