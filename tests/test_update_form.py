"""The update form: every error at once, only the quarters an update can be for, and
"no change" for one partner copying that partner's state."""

import datetime

import pytest

from actionplan import services
from actionplan.factories import ActionFactory, PlanFactory, UpdateFactory
from actionplan.models import ActionPlan, QuarterLock
from tests.update_form_posts import form_data, update_url

pytestmark = pytest.mark.django_db


def summary(response) -> list[str]:
    return [message for _, message in response.context["form"].error_links()]


def set_plan_status(action, status):
    ActionPlan.objects.filter(pk=action.plan_id).update(status=status)


@pytest.fixture
def signed_in(client, officer):
    client.force_login(officer)
    return client


# --- Every error at once -------------------------------------------------------------


def test_answer_errors_and_rule_errors_come_together(signed_in, action):
    data = form_data(
        action,
        percent_complete="lots",
        rag="red",
        commentary="",
        next_steps="Chase the supplier.",
        revised_due_date_0="30",
        revised_due_date_1="6",
        revised_due_date_2="2023",
    )
    response = signed_in.post(update_url(action), data)
    assert response.status_code == 200
    assert summary(response) == [
        "Enter the percentage complete as a whole number, like 40",
        "Enter commentary explaining why the action is amber or red.",
        "Enter the reason the due date has changed.",
    ]
    assert not action.updates.exists()
    html = response.content.decode()
    assert 'href="#id_commentary"' in html and 'href="#id_revision_reason"' in html
    # Nothing typed is lost.
    form = response.context["form"]
    assert (form["rag"].value(), form["next_steps"].value()) == ("red", "Chase the supplier.")
    assert form["percent_complete"].value() == "lots"


def test_a_quarter_refused_by_the_rule_is_listed_with_the_answers_errors(signed_in, action):
    QuarterLock.objects.create(period=20223)
    response = signed_in.post(update_url(action), form_data(action, rag="amber", commentary=""))
    messages = summary(response)
    assert messages[0].startswith("2022/23 Q3 is locked because it has been reported to the board.")
    assert messages[1] == "Enter commentary explaining why the action is amber or red."
    assert not action.updates.exists()


def test_an_answer_with_its_own_error_is_not_repeated_by_the_rules(signed_in, action):
    response = signed_in.post(update_url(action), form_data(action, percent_complete="140", status=""))
    assert summary(response) == ["Choose a status.", "Percentage complete must be 100 or less"]


def test_a_quarter_locked_after_the_forms_check_is_still_refused(signed_in, action, monkeypatch):
    """Locked between the form's check and saving: update_create's own check says so."""

    def lock_then_pass(**values):
        QuarterLock.objects.get_or_create(period=20223)
        return {}  # the form's check found nothing wrong

    monkeypatch.setattr(services, "update_errors", lock_then_pass)
    response = signed_in.post(update_url(action), form_data(action))
    assert response.status_code == 200
    assert "2022/23 Q3 is locked" in summary(response)[0]
    assert not action.updates.exists()


# --- Only the quarters an update can be for ------------------------------------------------


def test_an_earlier_plans_action_offers_only_its_own_years_open_quarters(
    signed_in, strategy, theme, officer, maidstone
):
    plan = PlanFactory(strategy=strategy, year=2021, status=ActionPlan.Status.APPROVED)
    earlier = ActionFactory(plan=plan, theme=theme, lead_officer=officer, partners=[maidstone])
    QuarterLock.objects.create(period=20212)
    form = signed_in.get(update_url(earlier)).context["form"]
    assert [code for code, _ in form.fields["quarter"].choices] == [20213, 20214]
    assert form["quarter"].value() == 20214  # the reporting quarter (2022/23 Q3) is not its year's

    response = signed_in.post(update_url(earlier), form_data(earlier, quarter="20223"))
    assert summary(response)[0].startswith("This action is in the 2021/22 action plan")
    assert signed_in.post(update_url(earlier), form_data(earlier, quarter="20214")).status_code == 302
    assert earlier.updates.get().period == 20214


def test_quarters_that_ended_before_the_action_started_are_not_offered(signed_in, plan, theme, officer):
    august = ActionFactory(plan=plan, theme=theme, lead_officer=officer, start_date=datetime.date(2022, 8, 1))
    form = signed_in.get(update_url(august)).context["form"]
    assert [code for code, _ in form.fields["quarter"].choices] == [20222, 20223, 20224]

    response = signed_in.post(update_url(august), form_data(august, quarter="20221"))
    assert summary(response) == [
        "2022/23 Q1 ended before this action's start date, 1 August 2022. "
        "Updates can be added for 2022/23 Q2, 2022/23 Q3, 2022/23 Q4."
    ]
    assert not august.updates.exists()


@pytest.mark.parametrize(
    "status,reason",
    [
        (ActionPlan.Status.CLOSED, "The 2022/23 action plan is closed: updates can no longer be added."),
        (ActionPlan.Status.DRAFT, "The 2022/23 action plan is still a draft"),
    ],
)
def test_a_closed_or_draft_plans_action_cannot_be_updated(
    signed_in, client, action, colleague, status, reason
):
    set_plan_status(action, status)

    page = signed_in.get(f"/actions/{action.pk}/").content.decode()
    assert "Update this action" not in page
    assert "No update can be added" in page and reason in page

    response = signed_in.get(update_url(action))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This action cannot be updated now" in html and reason in html
    assert "Save update" not in html

    response = signed_in.post(update_url(action), form_data(action))
    assert response.status_code == 409
    assert reason in response.content.decode()
    assert not action.updates.exists()

    # Someone who could never update it is not told about updates at all.
    client.force_login(colleague)
    page = client.get(f"/actions/{action.pk}/").content.decode()
    assert "Update this action" not in page and "No update can be added" not in page


def test_my_actions_says_why_a_plans_actions_cannot_be_updated(signed_in, action):
    html = signed_in.get("/actions/mine/").content.decode()
    assert f'href="{update_url(action)}"' in html
    set_plan_status(action, ActionPlan.Status.DRAFT)
    html = signed_in.get("/actions/mine/").content.decode()
    assert f'href="{update_url(action)}"' not in html
    assert (
        html.count("The 2022/23 action plan is still a draft") == 2
    )  # above the table, and the row's hidden text
    assert ">Closed<" in html


# --- "No change" for one partner ------------------------------------------------------------


@pytest.fixture
def partner_history(action, maidstone, swale, administrator):
    """The whole action is green at 60%; Swale's own latest update is amber at 30%, slipped."""
    overall = UpdateFactory(
        action=action,
        period=20222,
        percent_complete=60,
        next_steps="Whole action next.",
        author=administrator,
    )
    UpdateFactory(action=action, period=20221, partner=swale, rag="red", commentary="Older Swale news.")
    swale_now = UpdateFactory(
        action=action,
        period=20222,
        partner=swale,
        rag="amber",
        percent_complete=30,
        commentary="Swale's network is late.",
        next_steps="Swale next.",
        revised_due_date=datetime.date(2023, 9, 30),
        revision_reason="Swale's network contract.",
    )
    return overall, swale_now


def test_no_change_for_a_partner_copies_that_partners_latest_update(
    signed_in, action, swale, partner_history
):
    _, swale_now = partner_history
    data = form_data(action, partner="swale", change="no_change", no_change_reason="Still waiting on Swale.")
    assert signed_in.post(update_url(action), data).status_code == 302
    new = action.updates.order_by("-id").first()
    copied = ("status", "rag", "percent_complete", "next_steps", "revised_due_date", "revision_reason")
    assert {f: getattr(new, f) for f in copied} == {f: getattr(swale_now, f) for f in copied}
    assert (new.partner, new.no_change, new.commentary) == (swale, True, "Still waiting on Swale.")


def test_no_change_for_a_partner_without_its_own_update_copies_the_whole_action(
    signed_in, action, maidstone, partner_history
):
    overall, _ = partner_history
    data = form_data(action, partner="maidstone", change="no_change", no_change_reason="Nothing new.")
    assert signed_in.post(update_url(action), data).status_code == 302
    new = action.updates.order_by("-id").first()
    assert (new.partner, new.rag, new.percent_complete, new.next_steps) == (
        maidstone,
        "green",
        60,
        "Whole action next.",
    )
    action.refresh_from_db()
    assert action.latest_update == overall  # a partner update leaves the whole action's state alone


def test_no_change_for_the_whole_action_still_copies_the_whole_action(signed_in, action, partner_history):
    overall, _ = partner_history
    data = form_data(action, change="no_change", no_change_reason="Nothing new.")
    assert signed_in.post(update_url(action), data).status_code == 302
    action.refresh_from_db()
    assert action.latest_update.no_change
    assert (action.latest_update.rag, action.latest_update.percent_complete) == ("green", 60)
