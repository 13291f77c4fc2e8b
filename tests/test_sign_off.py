"""Sign-off before figures count: a submitted update counts nowhere until someone other
than its author, who approves its theme, approves it; returned ones never count; the
returns count it as received as soon as it is submitted."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from accounts import roles
from accounts.factories import UserFactory
from actionplan import selectors, services, sign_off
from actionplan.factories import ActionFactory, UpdateFactory
from actionplan.figures import summary
from actionplan.models import ProgressUpdate, SignOff
from approvals import services as digest_services
from core.quarters import Quarter
from reporting import selectors as report_selectors
from reporting.factories import BoardReportFactory
from tests.conftest import add_update as _add_update
from tests.conftest import at
from tests.update_form_posts import form_data, update_url

pytestmark = pytest.mark.django_db
Q2, Q3 = Quarter(2022, 2), Quarter(2022, 3)


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
def green_at_q2(signed_off, plan, theme, officer, maidstone):
    """An action green at the end of Q2 (its update from before sign-off was switched on)."""
    action = ActionFactory(
        plan=plan, theme=theme, lead_officer=officer, reference="1.1", partners=[maidstone]
    )
    UpdateFactory(action=action, period=20222, rag="green", percent_complete=40, created_at=at(2022, 10, 3))
    return action


def add_update(action, author, **answers):
    return _add_update(action, author, check_version=False, **answers)


def submit_red(action, officer):
    return add_update(
        action, officer, quarter=Q3, status="in_progress", rag="red", percent_complete=45,
        commentary="The supplier has gone into administration.",
    )  # fmt: skip


def test_a_submitted_update_counts_nowhere_until_approved(green_at_q2, officer, approver, strategy, plan):
    update = submit_red(green_at_q2, officer)
    assert update.needs_sign_off and update.sign_off_state == "pending"
    # Not in the picture: the action is still green, at Q3's end and now.
    assert selectors.action_state(green_at_q2, quarter=Q3).rag == "green"
    assert selectors.action_state(green_at_q2).rag == "green"
    assert summary(plan, Q3).totals.rag["red"] == 0
    report = BoardReportFactory(strategy=strategy, period=Q3.code)
    assert report_selectors.content_for(report).summary.rag["red"] == 0
    # ...but received: its author is not chased, and My actions says it awaits sign-off.
    assert selectors.update_returns(quarter=Q3, strategy=strategy) == (1, 1)
    row = selectors.led_actions(officer, quarter=Q3).rows[0]
    assert row.reported and row.awaiting_sign_off and not row.update_due
    # Approved after the quarter ended but before it was locked: it counts at Q3.
    sign_off.update_decide(user=approver, updates=[update], decision="approved")
    assert selectors.action_state(green_at_q2, quarter=Q3).rag == "red"
    assert summary(plan, Q3).totals.rag["red"] == 1
    assert report_selectors.content_for(report).summary.rag["red"] == 1
    assert ProgressUpdate.objects.get(pk=update.pk).sign_off_state == "counted"


def test_with_sign_off_off_an_update_counts_at_once(plan, theme, officer):
    action = ActionFactory(plan=plan, theme=theme, lead_officer=officer)
    update = submit_red(action, officer)
    assert not update.needs_sign_off and update.sign_off_state == "counted"
    assert selectors.action_state(action, quarter=Q3).rag == "red"


def test_nobody_signs_off_their_own_or_outside_their_themes(
    green_at_q2, officer, approver, administrator, strategy
):
    from themes.factories import ThemeFactory

    own = add_update(
        green_at_q2, administrator, quarter=Q3, status="in_progress", rag="green", percent_complete=50
    )
    with pytest.raises(PermissionDenied, match="your own"):
        sign_off.update_decide(user=administrator, updates=[own], decision="approved")
    other_theme = ThemeFactory(strategy=strategy, number=2, title="Digital")
    elsewhere = ActionFactory(plan=green_at_q2.plan, theme=other_theme, lead_officer=officer, reference="2.1")
    outside = submit_red(elsewhere, officer)
    with pytest.raises(PermissionDenied, match="not in a theme you approve"):
        sign_off.update_decide(user=approver, updates=[outside], decision="approved")
    # All or none: one refused in a batch decides nothing.
    with pytest.raises(PermissionDenied):
        sign_off.update_decide(user=approver, updates=[own, outside], decision="approved")
    assert not SignOff.objects.exists()
    sign_off.update_decide(user=approver, updates=[own], decision="approved")
    with pytest.raises(sign_off.AlreadyDecided):
        sign_off.update_decide(user=approver, updates=[own], decision="returned", reason="Late")


def test_a_returned_update_never_counts_and_goes_back_to_its_author(
    client, green_at_q2, officer, approver, strategy, django_capture_on_commit_callbacks
):
    update = submit_red(green_at_q2, officer)
    with pytest.raises(ValidationError):
        sign_off.update_decide(user=approver, updates=[update], decision="returned", reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        sign_off.update_decide(
            user=approver, updates=[update], decision="returned", reason="Say which supplier, and the plan B."
        )
    assert selectors.action_state(green_at_q2, quarter=Q3).rag == "green"
    (message,) = mail.outbox
    assert message.to == [f"{officer.display_name} <{officer.email}>"]
    assert "Say which supplier, and the plan B." in message.body and "was returned" in message.subject
    # Due again on My actions, with the reason; the returned update stays in the history.
    row = selectors.led_actions(officer, quarter=Q3).rows[0]
    assert row.update_due and row.returned_reason == "Say which supplier, and the plan B."
    assert selectors.update_returns(quarter=Q3, strategy=strategy) == (0, 1)
    client.force_login(officer)
    page = client.get(f"/actions/{green_at_q2.pk}/").content.decode()
    assert "Returned</strong>" in page and "Say which supplier, and the plan B." in page
    mine = client.get("/actions/mine/").content.decode()
    assert "Returned</strong>" in mine
    corrected = submit_red(green_at_q2, officer)
    assert selectors.led_actions(officer, quarter=Q3).rows[0].awaiting_sign_off
    sign_off.update_decide(user=approver, updates=[corrected], decision="approved")
    assert selectors.action_state(green_at_q2, quarter=Q3).update == corrected
    assert ProgressUpdate.objects.get(pk=update.pk).sign_off_state == "returned"


def test_a_locked_quarters_update_can_be_returned_not_approved(green_at_q2, officer, approver, administrator):
    update = submit_red(green_at_q2, officer)
    services.quarter_lock(quarter=Q3, user=administrator, reason="Reported")
    with pytest.raises(ValidationError, match="locked"):
        sign_off.update_decide(user=approver, updates=[update], decision="approved")
    sign_off.update_decide(user=approver, updates=[update], decision="returned", reason="Too late for Q3.")


def _pending_batch(plan, theme, officer, n, start):
    updates = []
    for i in range(n):
        action = ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference=f"5.{start + i}")
        updates.append(submit_red(action, officer))
    return updates


def test_bulk_approval_is_one_transaction_with_constant_queries(signed_off, plan, theme, officer, approver):
    warm = _pending_batch(plan, theme, officer, 1, 500)
    few = _pending_batch(plan, theme, officer, 3, 0)
    many = _pending_batch(plan, theme, officer, 25, 100)
    # Once first, so per-process caches (content types, the history's user) are warm.
    sign_off.update_decide(user=approver, updates=warm, decision="approved")
    with CaptureQueriesContext(connection) as small:
        sign_off.update_decide(user=approver, updates=few, decision="approved")
    with CaptureQueriesContext(connection) as large:
        sign_off.update_decide(user=approver, updates=many, decision="approved")
    # A fixed number whatever the batch's size (one query either way, as the history
    # insert's batching differs between 3 and 25 rows on one backend or the other).
    assert abs(len(large) - len(small)) <= 1 and len(large) < 30
    assert SignOff.objects.filter(decision="approved").count() == 29
    assert summary(plan, Q3).totals.rag["red"] == 29


def test_the_queue_groups_by_theme_shows_what_changed_and_approves_the_selected(
    client, green_at_q2, officer, approver, plan, theme
):
    first = submit_red(green_at_q2, officer)
    second_action = ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="1.2")
    second = submit_red(second_action, officer)
    client.force_login(approver)
    page = client.get("/approvals/")
    html = page.content.decode()
    assert "2 updates await your sign-off" in html and "Theme 1: Modern workforce" in html
    (group,) = page.context["groups"]
    changes = {c.field: (c.before, c.after) for c in group.items[0].changes}
    assert changes["RAG"] == ("Green", "Red") and changes["% complete"] == ("40%", "45%")
    response = client.post("/approvals/", {"update": [first.pk]})
    assert response.status_code == 302
    assert ProgressUpdate.objects.get(pk=first.pk).sign_off_state == "counted"
    assert ProgressUpdate.objects.get(pk=second.pk).sign_off_state == "pending"
    # Nothing chosen: a clear message, nothing decided.
    refused = client.post("/approvals/", {})
    assert refused.status_code == 400 and "Choose at least one update" in refused.content.decode()
    returned = client.post(f"/approvals/{second.pk}/return/", {"reason": ""})
    assert "Say why you are returning it" in returned.content.decode()
    client.post(f"/approvals/{second.pk}/return/", {"reason": "Which supplier?"})
    assert ProgressUpdate.objects.get(pk=second.pk).sign_off_state == "returned"
    assert "Nothing awaits your sign-off" in client.get("/approvals/").content.decode()


def test_the_queue_is_for_approvers_only(client, officer, councillor, green_at_q2):
    update = submit_red(green_at_q2, officer)
    for user in (officer, councillor):
        client.force_login(user)
        assert client.get("/approvals/").status_code == 403
        assert client.post(f"/approvals/{update.pk}/return/", {"reason": "x"}).status_code == 403
    assert update.sign_off_state == "pending"


def test_the_api_queue_and_decisions(client, green_at_q2, officer, approver, administrator):
    update = submit_red(green_at_q2, officer)
    client.force_login(approver)
    body = client.get("/api/v1/approvals/").json()
    assert body["count"] == 1 and body["results"][0]["update"]["sign_off"] == "pending"
    assert {"field": "RAG", "before": "Green", "after": "Red"} in body["results"][0]["changes"]
    bad = client.post(
        f"/api/v1/approvals/{update.pk}/", {"decision": "return"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "reason" in bad.json()["errors"]
    ok = client.post(
        f"/api/v1/approvals/{update.pk}/", {"decision": "approve"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["sign_off"] == "counted"
    twice = client.post(
        f"/api/v1/approvals/{update.pk}/", {"decision": "approve"}, content_type="application/json"
    )
    assert twice.status_code == 409
    own = add_update(
        green_at_q2, administrator, quarter=Q3, status="in_progress", rag="green", percent_complete=50
    )
    client.force_login(administrator)
    assert (
        client.post(
            f"/api/v1/approvals/{own.pk}/", {"decision": "approve"}, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(officer)
    assert client.get("/api/v1/approvals/").status_code == 403


def test_one_digest_a_day_to_each_approver_never_about_their_own(green_at_q2, officer, approver, maidstone):
    submit_red(green_at_q2, officer)
    add_update(green_at_q2, officer, quarter=Q3, partner=maidstone, status="in_progress", rag="amber",
               percent_complete=30, commentary="Maidstone waits for the new switches.")  # fmt: skip
    assert digest_services.digests_send() == 1
    (message,) = [m for m in mail.outbox if m.to == [f"{approver.display_name} <{approver.email}>"]]
    assert "2 updates await your sign-off" in message.subject
    assert digest_services.digests_send() == 0  # the same day: nothing twice
    assert len(mail.outbox) == 1


def test_officer_submits_approver_returns_officer_corrects_approver_approves_the_report_shows_it(
    client, green_at_q2, officer, approver, strategy, django_capture_on_commit_callbacks
):
    """The whole journey through the pages, then the board report for the quarter."""
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(
                update_url(green_at_q2), form_data(green_at_q2, rag="amber", commentary="Late kit.")
            ).status_code
            == 302
        )
    submitted = green_at_q2.updates.order_by("-id").first()
    page = client.get(f"/actions/{green_at_q2.pk}/").content.decode()
    assert "submitted for sign-off" in page and "Awaiting sign-off" in page
    client.force_login(approver)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/approvals/{submitted.pk}/return/", {"reason": "Give the new date and why."})
    assert len(mail.outbox) == 1
    client.force_login(officer)
    corrected_data = form_data(
        green_at_q2, rag="amber", commentary="Late kit: the switches arrive in February.",
        revised_due_date_0="28", revised_due_date_1="2", revised_due_date_2="2023",
        revision_reason="The supplier's new delivery date.",
    )  # fmt: skip
    assert client.post(update_url(green_at_q2), corrected_data).status_code == 302
    corrected = green_at_q2.updates.order_by("-id").first()
    assert corrected.pk != submitted.pk and corrected.sign_off_state == "pending"
    client.force_login(approver)
    assert client.post("/approvals/", {"update": [corrected.pk]}).status_code == 302
    report = BoardReportFactory(strategy=strategy, period=Q3.code)
    content = report_selectors.content_for(report)
    assert content.summary.rag["amber"] == 1
    (exception,) = content.exceptions
    assert exception.update == corrected and "February" in exception.update.commentary


def test_the_demo_has_sign_off_on_with_some_waiting_and_some_returned(client):
    from django.core.management import call_command

    from accounts.models import User

    call_command("load_demo_data", verbosity=0, reports=False)
    manager = User.objects.get(username="manager")
    assert manager.check_password("demo-portal-2019") and manager.approved_themes.count() == 6
    updates = ProgressUpdate.objects.filter(action__plan__strategy__status="active")
    assert updates.exists() and not updates.filter(needs_sign_off=False).exists()
    # Every update of a reported (locked) quarter counts; Q3's are part waiting, two returned.
    assert not updates.filter(period__lte=20222).exclude(sign_off__decision="approved").exists()
    q3 = updates.filter(period=20223, partner__isnull=True)
    waiting = q3.filter(sign_off__isnull=True).count()
    assert 0 < waiting < q3.count() and q3.filter(sign_off__decision="returned").count() == 2
    assert not SignOff.objects.filter(decided_at__lt=models.F("update__created_at")).exists()
    client.force_login(manager)
    page = client.get("/approvals/")
    assert page.status_code == 200 and f"{waiting} updates await your sign-off" in page.content.decode()


def test_every_decision_is_in_the_audit_trail(client, green_at_q2, officer, approver, administrator):
    approved, returned = submit_red(green_at_q2, officer), None
    sign_off.update_decide(user=approver, updates=[approved], decision="approved")
    second = ActionFactory(
        plan=green_at_q2.plan, theme=green_at_q2.theme, lead_officer=officer, reference="1.9"
    )
    returned = submit_red(second, officer)
    sign_off.update_decide(user=approver, updates=[returned], decision="returned", reason="Add the new date.")
    client.force_login(administrator)
    html = client.get("/audit/").content.decode()
    assert f"Approved progress update {approved.pk}" in html
    assert f"Returned progress update {returned.pk}: Add the new date." in html
    # Names are shown escaped: the factory's names include "O'Neill".
    assert "Sign-off decision" in html and escape(approver.display_name) in html
