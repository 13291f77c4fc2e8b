"""Risk reviews through sign-off (risks.sign_off, approvals.kinds): submitted, then approved
or returned by someone other than their author; only approved ones count."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import escape

from accounts import roles
from accounts.factories import UserFactory
from actionplan import services as action_services
from actionplan.factories import UpdateFactory
from approvals import kinds
from approvals import services as digest_services
from risks import selectors, services, sign_off
from risks.factories import ReviewFactory, RiskFactory
from tests.conftest import Q3

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_off(strategy):
    strategy.updates_need_sign_off = True
    strategy.save()
    return strategy


@pytest.fixture
def approver(theme):
    user = UserFactory(username="manager", role=roles.APPROVER, email="manager@example.org")
    theme.approvers.add(user)
    return user


@pytest.fixture
def risk(signed_off, theme, officer):
    risk = RiskFactory(
        strategy=signed_off, theme=theme, owner=officer, reference="R1", title="Ransomware attack"
    )
    ReviewFactory(risk=risk, period=20222, likelihood=2, impact=4)  # counted: before sign-off was on
    return risk


def submit(risk, officer, **answers):
    draft = services.ReviewDraft(
        **{"quarter": Q3, "likelihood": 2, "impact": 3, "control_effectiveness": "effective",
           "controls": "Offline backups", **answers}
    )  # fmt: skip
    return services.review_create(risk=risk, author=officer, draft=draft, check_version=False)


def test_a_submitted_review_counts_only_once_approved(risk, officer, approver, signed_off):
    review = submit(risk, officer)
    assert review.sign_off_state == "pending"
    row = selectors.register(signed_off, quarter=Q3).rows[0]
    assert (row.score, row.pending) == (8, True)  # still Q2's counted review
    sign_off.review_decide(user=approver, reviews=[review], decision="approved")
    row = selectors.register(signed_off, quarter=Q3).rows[0]
    assert (row.score, row.pending, row.movement.key) == (6, False, "down")


def test_nobody_signs_off_their_own_and_only_for_their_themes(
    risk, officer, approver, administrator, strategy
):
    own = submit(risk, administrator)
    with pytest.raises(PermissionDenied):
        sign_off.review_decide(user=administrator, reviews=[own], decision="approved")
    other_theme = RiskFactory(strategy=strategy, reference="R9", owner=officer)
    outside = submit(other_theme, officer)
    with pytest.raises(PermissionDenied):
        sign_off.review_decide(user=approver, reviews=[outside], decision="approved")
    sign_off.review_decide(user=approver, reviews=[own], decision="approved")
    with pytest.raises(sign_off.AlreadyDecided):
        sign_off.review_decide(user=approver, reviews=[own], decision="returned", reason="Late")


def test_a_return_needs_a_reason_and_tells_the_author(
    risk, officer, approver, django_capture_on_commit_callbacks
):
    review = submit(risk, officer)
    with pytest.raises(ValidationError):
        sign_off.review_decide(user=approver, reviews=[review], decision="returned", reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        sign_off.review_decide(user=approver, reviews=[review], decision="returned", reason="Why lower?")
    assert review.sign_off.reason == "Why lower?" and review.sign_off_state == "returned"
    (message,) = mail.outbox
    assert "review of risk R1 was returned" in message.subject and "Why lower?" in message.body


def test_a_locked_quarters_review_can_be_returned_but_not_approved(risk, officer, approver, administrator):
    review = submit(risk, officer)
    action_services.quarter_lock(quarter=Q3, user=administrator)
    with pytest.raises(ValidationError):
        sign_off.review_decide(user=approver, reviews=[review], decision="approved")
    sign_off.review_decide(user=approver, reviews=[review], decision="returned", reason="Too late for Q3.")


def test_the_queue_lists_updates_and_reviews_and_approves_both_at_once(
    client, risk, officer, approver, action, strategy
):
    review = submit(risk, officer)
    update = UpdateFactory(action=action, period=Q3.code, rag="green", needs_sign_off=True)
    client.force_login(approver)
    html = client.get("/approvals/").content.decode()
    assert "1 update awaits your sign-off." in html and "1 risk review awaits your sign-off." in html
    assert f'id="review-{review.pk}"' in html and f'href="/approvals/review/{review.pk}/return/"' in html
    answer = client.post("/approvals/", {"update": [update.pk], "review": [review.pk]}, follow=True)
    assert "1 update and 1 risk review approved: they now count." in answer.content.decode()
    review.refresh_from_db()
    assert review.sign_off_state == "counted"


def test_a_batch_is_all_or_none_across_kinds(client, risk, officer, approver, action, administrator):
    own = submit(risk, administrator)
    update = UpdateFactory(action=action, period=Q3.code, rag="green", needs_sign_off=True)
    client.force_login(administrator)
    answer = client.post("/approvals/", {"update": [update.pk], "review": [own.pk]})
    assert answer.status_code == 403
    update.refresh_from_db()
    assert update.sign_off_state == "pending"


def test_the_return_page_for_a_review(client, risk, officer, approver):
    review = submit(risk, officer)
    client.force_login(approver)
    page = client.get(f"/approvals/review/{review.pk}/return/")
    assert "Return the 2022/23 Q3 risk review" in page.content.decode()
    assert "Return the risk review" in page.content.decode()
    client.post(f"/approvals/review/{review.pk}/return/", {"reason": "Controls unchanged?"})
    review.refresh_from_db()
    assert review.sign_off_state == "returned"
    assert client.get("/approvals/nothing/1/return/").status_code == 404


def test_the_api_lists_and_decides_reviews(client, risk, officer, approver):
    review = submit(risk, officer)
    client.force_login(approver)
    body = client.get("/api/v1/approvals/").json()
    (entry,) = body["results"]
    assert (
        entry["kind"] == "review" and entry["review"]["id"] == review.pk and entry["risk_reference"] == "R1"
    )
    assert {"field": "Score", "before": "8", "after": "6"} in entry["changes"]
    ok = client.post(f"/api/v1/approvals/{review.pk}/", {"kind": "review", "decision": "approve"},
                     content_type="application/json")  # fmt: skip
    assert ok.status_code == 200 and ok.json()["sign_off"] == "counted"
    again = client.post(f"/api/v1/approvals/{review.pk}/", {"kind": "review", "decision": "approve"},
                        content_type="application/json")  # fmt: skip
    assert again.status_code == 409


def test_the_digest_counts_reviews_too(risk, officer, approver, action):
    submit(risk, officer)
    UpdateFactory(action=action, period=Q3.code, rag="green", needs_sign_off=True)
    assert digest_services.digests_send() == 1
    (message,) = [m for m in mail.outbox if approver.email in m.to[0]]
    assert message.subject == "1 update and 1 risk review await your sign-off"
    assert "Risk review: R1 Ransomware attack" in message.body


def test_every_kind_is_registered():
    assert list(kinds.KINDS) == ["update", "review"]


def test_reviews_and_decisions_are_in_the_audit_trail(client, risk, officer, approver, administrator):
    review = submit(risk, officer)
    sign_off.review_decide(user=approver, reviews=[review], decision="approved")
    client.force_login(administrator)
    html = client.get("/audit/").content.decode()
    assert f"Risk review {review.pk}: 2022/23 Q3, score 6" in html
    assert f"Approved risk review {review.pk}" in html


def test_the_send_page_lists_reviews_still_awaiting_sign_off(
    client, risk, officer, administrator, action, fast_pdf
):
    from reporting import services as reporting_services
    from reporting.factories import RecipientFactory

    review = submit(risk, officer)
    RecipientFactory(name="Margaret Ellis", email="chair@board.example.org")
    report = reporting_services.report_run_now(quarter=Q3, user=administrator)
    client.force_login(administrator)
    html = client.get(f"/reports/{report.pk}/send/").content.decode()
    assert "Risk reviews awaiting sign-off" in html
    assert "1 risk review for 2022/23 Q3 awaits sign-off and is not in this report." in html
    assert f'href="/risks/{risk.pk}/">R1 Ransomware attack</a>, by {escape(officer.display_name)}' in html
    colleague_admin = UserFactory(username="other-admin", role=roles.ADMINISTRATOR)
    sign_off.review_decide(user=colleague_admin, reviews=[review], decision="approved")
    assert "Risk reviews awaiting sign-off" not in client.get(f"/reports/{report.pk}/send/").content.decode()
