"""The demo's risk register: a dozen realistic risks, reviewed each quarter with plausible
movement, owned by the demo officers and the manager, partly reviewed for 2022/23 Q3."""

import pytest
from django.core.management import call_command

from accounts.models import User
from core.quarters import Quarter, quarters_between
from risks import rules, selectors
from risks.models import ReviewSignOff, Risk, RiskReview
from tests.test_demo_data import placeholders
from themes.models import Strategy

pytestmark = pytest.mark.django_db
Q2, Q3 = Quarter(2022, 2), Quarter(2022, 3)


@pytest.fixture
def demo(db):
    call_command("load_demo_data", verbosity=0, reports=False)
    return Strategy.objects.get(status="active")


def test_about_a_dozen_risks_owned_by_demo_officers_and_the_manager(demo):
    risks = Risk.objects.filter(strategy=demo)
    assert 10 <= risks.count() <= 14
    owners = set(risks.values_list("owner__username", flat=True))
    assert {"officer", "officer2", "manager"} <= owners
    assert all(
        User.objects.get(username=u).groups.filter(name__in=["Officer", "Approver"]).exists() for u in owners
    )
    assert risks.filter(mitigating_actions__isnull=False).distinct().count() >= 8
    call_command("load_demo_data", verbosity=0, reports=False)
    assert Risk.objects.count() == risks.count()  # idempotent


def test_every_risk_is_reviewed_each_reported_quarter_and_approved_before_the_lock(demo):
    for risk in Risk.objects.filter(strategy=demo):
        periods = sorted(set(risk.reviews.values_list("period", flat=True)))
        expected = [q.code for q in quarters_between(risk.first_quarter, Q2)]
        assert [p for p in periods if p <= Q2.code] == expected, risk.reference
    locked = RiskReview.objects.filter(period__lte=Q2.code)
    assert not locked.exclude(sign_off__decision="approved").exists()
    for decision in ReviewSignOff.objects.select_related("review"):
        assert decision.decided_at > decision.review.created_at
        assert decision.decided_by_id != decision.review.author_id


def test_the_reporting_quarter_is_partly_reviewed_some_waiting_one_returned(demo, client):
    q3 = RiskReview.objects.filter(period=Q3.code)
    reviewed = q3.values("risk").distinct().count()
    assert 0 < reviewed < Risk.objects.count()
    assert q3.filter(sign_off__isnull=True).exists()
    assert q3.filter(sign_off__decision="returned").count() == 1
    client.force_login(User.objects.get(username="manager"))
    assert "risk reviews await your sign-off" in client.get("/approvals/").content.decode()


def test_scores_move_both_ways_with_commentary_where_the_rules_need_it(demo):
    moves = set()
    for risk in Risk.objects.filter(strategy=demo):
        history = sorted(risk.reviews.filter(rules.counted_q()), key=rules.review_key)
        for before, after in zip(history, history[1:], strict=False):
            moved = rules.movement(before.score, after.score)
            moves.add(moved.key)
            if moved is rules.UP or rules.outside_appetite(after.score, risk.appetite):
                assert after.commentary, (risk.reference, after.quarter.label)
    assert {"up", "down", "unchanged"} <= moves
    register = selectors.register(demo, quarter=Q2)
    assert register.high and register.outside_appetite and register.risen


def test_no_placeholders_in_the_register(demo):
    texts = [
        t for r in Risk.objects.all() for t in (r.title, r.cause, r.event, r.consequence, r.existing_controls)
    ]
    texts += [t for r in RiskReview.objects.all() for t in (r.controls, r.commentary)]
    assert all(t.strip() for t in texts)
    assert placeholders(texts) == []
