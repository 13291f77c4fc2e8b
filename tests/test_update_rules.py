"""The rules a progress update must meet (actionplan.services): all reported at once, and
which quarters an update can be for (the action's own plan year, approved, started, not locked)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from actionplan import services
from actionplan.factories import ActionFactory, PlanFactory, UpdateFactory
from actionplan.models import Action, ActionPlan, ProgressUpdate, QuarterLock
from actionplan.window import quarter_refusal, update_window
from core.quarters import Quarter
from tests.conftest import add_update as add
from tests.conftest import update_draft

pytestmark = pytest.mark.django_db

Q1, Q2, Q3, Q4 = (Quarter(2022, n) for n in (1, 2, 3, 4))


# --- Every problem at once ---------------------------------------------------


def test_errors_reports_every_rule_at_once(action):
    errors = services.update_errors(
        action=action,
        draft=update_draft(
            quarter=Quarter(2023, 1),
            rag="red",
            percent_complete=None,
            commentary="  ",
            revised_due_date=datetime.date(2023, 6, 30),
        ),
    )
    assert set(errors) == {"quarter", "percent_complete", "commentary", "revision_reason"}
    assert all(len(messages) == 1 and messages[0] for messages in errors.values())


def test_errors_only_checks(action):
    assert services.update_errors(action=action, draft=update_draft()) == {}
    assert not ProgressUpdate.objects.exists()


def test_saving_refuses_with_the_same_errors(action, officer):
    bad = dict(rag="amber", revised_due_date=datetime.date(2023, 6, 30), partner=None)
    checked = services.update_errors(action=action, draft=update_draft(**bad))
    with pytest.raises(ValidationError) as saved:
        add(action, officer, **bad)
    assert saved.value.message_dict == checked
    assert set(saved.value.message_dict) == {"commentary", "revision_reason"}
    assert not ProgressUpdate.objects.exists()


def test_format_errors_keep_their_own_message_and_the_rest_are_added(action):
    """The form's and the API's own checks come first: the rules add only the fields they missed."""
    errors = services.update_errors(
        action=action,
        draft=update_draft(rag="red", percent_complete=None, commentary=""),
        format_errors={"percent_complete": ["Enter a whole number."]},
    )
    assert errors["percent_complete"] == ["Enter a whole number."]
    assert errors["commentary"] == ["Enter commentary explaining why the action is amber or red."]


def test_completed_is_checked_as_it_will_be_stored(action):
    # No RAG and no percentage: a completed action is blue and 100%, so nothing is missing.
    draft = update_draft(status="completed", rag="", percent_complete=None)
    assert services.update_errors(action=action, draft=draft) == {}


# --- Which quarters: the action's own plan year, approved, started, not locked ----------


@pytest.mark.parametrize(
    "status,message",
    [
        (
            ActionPlan.Status.CLOSED,
            "The 2022/23 action plan is closed: updates can no longer be added.",
        ),
        (
            ActionPlan.Status.DRAFT,
            "The 2022/23 action plan is still a draft: updates can be added once it has been approved.",
        ),
    ],
)
def test_no_update_to_a_closed_or_draft_plan(action, officer, status, message):
    ActionPlan.objects.filter(pk=action.plan_id).update(status=status)
    action = Action.objects.select_related("plan").get(pk=action.pk)
    with pytest.raises(ValidationError) as error:
        add(action, officer)
    assert error.value.message_dict["quarter"] == [message]
    assert not ProgressUpdate.objects.exists()
    window = update_window(action)
    assert (window.quarters, window.reason, window.default) == ((), message, None)


def test_an_earlier_plans_action_takes_updates_only_for_its_own_year(earlier_action, officer):
    with pytest.raises(ValidationError) as error:
        add(earlier_action, officer, quarter=Q3)
    message = error.value.message_dict["quarter"][0]
    assert message.startswith("This action is in the 2021/22 action plan: report on a quarter of 2021/22.")
    assert "2021/22 Q4" in message  # the quarters that are open
    assert add(earlier_action, officer, quarter=Quarter(2021, 4)).period == 20214


def test_an_earlier_plan_closed_is_refused_with_a_clear_message(earlier_action, officer):
    ActionPlan.objects.filter(pk=earlier_action.plan_id).update(status=ActionPlan.Status.CLOSED)
    earlier_action.plan.refresh_from_db()
    for quarter in (Quarter(2021, 4), Q3):
        with pytest.raises(ValidationError) as error:
            add(earlier_action, officer, quarter=quarter)
        assert error.value.message_dict["quarter"] == [
            "The 2021/22 action plan is closed: updates can no longer be added."
        ]
    assert not ProgressUpdate.objects.exists()


def test_the_window_is_the_plan_years_started_unlocked_quarters(action, settings):
    assert update_window(action).quarters == (Q4, Q3, Q2, Q1)
    assert update_window(action).default == Q3  # 16 January: Q3 updates are coming in
    settings.PORTAL_TODAY = "2022-08-15"
    assert update_window(action).quarters == (Q2, Q1)
    assert update_window(action).default == Q2
    QuarterLock.objects.create(period=Q1.code)
    assert update_window(action).quarters == (Q2,)


def test_a_future_quarter_of_the_plan_year_has_not_started(action, officer, settings):
    settings.PORTAL_TODAY = "2022-08-15"
    with pytest.raises(ValidationError) as error:
        add(action, officer, quarter=Q3)
    assert error.value.message_dict["quarter"][0].startswith("2022/23 Q3 has not started yet.")


def test_last_years_fourth_quarter_stays_open_into_the_new_year(action, settings):
    """In April, last year's Q4 updates are still coming in: its plan offers Q4 by default."""
    settings.PORTAL_TODAY = "2023-04-20"
    window = update_window(action)
    assert window.quarters == (Q4, Q3, Q2, Q1)
    assert window.default == Q4


@pytest.mark.parametrize(
    "today,year,locked,reason",
    [
        (
            "2023-01-16",
            2023,
            None,
            "The 2023/24 action plan starts on 1 April 2023: updates can be added from then.",
        ),
        (
            "2023-01-16",
            2021,
            20222,
            "Every quarter of the 2021/22 action plan has been reported to the board and locked: "
            "updates can no longer be added.",
        ),
        (
            "2022-12-20",
            2022,
            20223,
            "2022/23 Q3 and the quarters before it have been reported to the board and locked: "
            "updates for 2022/23 Q4 can be added from 1 January 2023.",
        ),
    ],
)
def test_why_no_quarter_is_open(settings, strategy, theme, officer, today, year, locked, reason):
    settings.PORTAL_TODAY = today
    if locked:
        QuarterLock.objects.create(period=locked)
    plan = PlanFactory(strategy=strategy, year=year, status=ActionPlan.Status.APPROVED)
    action = ActionFactory(plan=plan, theme=theme, lead_officer=officer)
    window = update_window(action)
    assert not window.is_open
    assert window.reason == reason
    with pytest.raises(ValidationError) as error:
        add(action, officer, quarter=Quarter(year, 1))
    assert error.value.message_dict["quarter"] == [reason]


# --- "No change" copies the state it says has not changed --------------------------------


def test_no_change_baseline_is_each_partners_own_latest_state(action, maidstone, swale):
    overall = UpdateFactory(action=action, period=20222, percent_complete=60)
    action.refresh_from_db()
    older_swale = UpdateFactory(action=action, period=20221, partner=swale, rag="red", commentary="x")
    assert services.no_change_baseline(action=action, partner=swale) == older_swale
    newer_swale = UpdateFactory(action=action, period=20222, partner=swale, rag="amber", commentary="y")
    assert services.no_change_baseline(action=action, partner=swale) == newer_swale
    assert services.no_change_baseline(action=action, partner=maidstone) == overall
    assert services.no_change_baseline(action=action) == overall


COPIED = ("status", "rag", "percent_complete", "next_steps", "revised_due_date", "revision_reason")


@pytest.fixture
def amber_history(action, swale):
    """The whole action is amber at 35% with a revised date; Swale's own state is red at 10%."""
    overall = UpdateFactory(
        action=action,
        period=20222,
        rag="amber",
        percent_complete=35,
        commentary="Waiting on the supplier.",
        next_steps="Chase the supplier.",
        revised_due_date=datetime.date(2023, 6, 30),
        revision_reason="Supplier late.",
    )
    action.refresh_from_db()
    swale_now = UpdateFactory(
        action=action, period=20222, partner=swale, rag="red", percent_complete=10, commentary="Stuck."
    )
    return overall, swale_now


def no_change(action, author, **values):
    return services.update_create(
        action=action,
        author=author,
        draft=services.UpdateDraft(**values),
        seen_update_id=action.updates.order_by("-id").first().pk,
    )


def test_no_change_copies_the_baseline_in_the_service(action, officer, swale, amber_history):
    overall, swale_now = amber_history
    new = no_change(action, officer, quarter=Q3, no_change=True, commentary=" Still waiting. ")
    assert {f: getattr(new, f) for f in COPIED} == {f: getattr(overall, f) for f in COPIED}
    assert (new.no_change, new.commentary, new.period, new.partner) == (True, "Still waiting.", 20223, None)
    action.refresh_from_db()
    assert action.latest_update == new

    for_swale = no_change(action, officer, quarter=Q3, partner=swale, no_change=True, commentary="Same.")
    assert {f: getattr(for_swale, f) for f in COPIED} == {f: getattr(swale_now, f) for f in COPIED}


def test_no_change_needs_a_reason_and_something_to_copy(action, officer, amber_history):
    draft = services.UpdateDraft(quarter=Q3, no_change=True, commentary="  ")
    assert services.update_errors(action=action, draft=draft) == {
        "commentary": ["Enter why nothing has changed."]
    }

    fresh = ActionFactory(plan=action.plan, theme=action.theme, lead_officer=officer, reference="1.9")
    draft = services.UpdateDraft(quarter=Q3, no_change=True, commentary="Nothing yet.")
    # One problem, not a missing status, RAG and percentage besides.
    assert services.update_errors(action=fresh, draft=draft) == {
        "no_change": ["There is no earlier update to copy: record the position instead."]
    }


def test_no_change_refuses_a_value_that_differs_from_the_copy(action, officer, amber_history):
    overall, _ = amber_history
    draft = services.UpdateDraft(
        quarter=Q3, no_change=True, commentary="Same.", status="completed", rag="amber"
    )
    errors = services.update_errors(action=action, draft=draft)
    assert set(errors) == {"status"}  # the RAG sent is the copy's: no contradiction
    assert errors["status"][0].startswith("Nothing has changed, so the status is copied from the last update")
    # Values equal to the copy's are accepted: a script that echoes what it read still works.
    same = {f: getattr(overall, f) for f in COPIED}
    assert no_change(action, officer, quarter=Q3, no_change=True, commentary="Same.", **same).no_change


# --- Data made without the service keeps the rule -------------------------------------


def test_the_update_factory_makes_updates_the_rule_allows():
    update = UpdateFactory()
    assert update.quarter in update.action.plan.quarters
    assert update.action.plan.status == ActionPlan.Status.APPROVED
    assert update.quarter in update_window(update.action).quarters


@pytest.mark.parametrize("year", [2020, 2021, 2022])
def test_the_update_factory_reports_on_a_quarter_of_the_actions_plan_year(year, strategy, theme):
    action = ActionFactory(plan=PlanFactory(strategy=strategy, year=year), theme=theme)
    update = UpdateFactory(action=action)
    assert update.quarter == Quarter(year, 3)
    refusal = quarter_refusal(action, update.quarter, current=Quarter(year, 4), locked=None)
    assert refusal == ""


def test_demo_updates_obey_the_rule():
    """The demo bulk-creates its history: every update is one the rule allowed when it was
    entered: its action's own plan year, an approved plan, a quarter started and not yet
    locked then, and not ended before the action started."""
    call_command("load_demo_data", verbosity=0, reports=False)
    locks = list(QuarterLock.objects.order_by("period"))
    assert locks
    updates = ProgressUpdate.objects.select_related("action__plan")
    assert updates
    for update in updates:
        entered = update.created_at
        # The latest quarter locked by then: it and every quarter before it were closed.
        locked_by_then = [lock for lock in locks if lock.locked_at <= entered]
        locked_then = Quarter.from_code(locked_by_then[-1].period) if locked_by_then else None
        current_then = Quarter.containing(entered.date())
        refusal = quarter_refusal(update.action, update.quarter, current=current_then, locked=locked_then)
        assert refusal == "", (update.action.reference, update.period, entered, refusal)
        assert update.quarter.last_day >= update.action.start_date
    # At the demo date only the 2022/23 plan takes updates, for its unlocked Q3 and Q4.
    windows = {}
    for action in Action.objects.select_related("plan"):
        windows.setdefault(action.plan.year, update_window(action))
    assert windows[2022].quarters == (Q4, Q3)
    assert "has been reported to the board and locked" in windows[2021].reason
    assert "still a draft" in windows[2023].reason


# --- Not for a quarter that ended before the action started ----------------------------


@pytest.fixture
def august_action(plan, theme, officer, maidstone):
    """Starts in 2022/23 Q2: nothing can have happened on it in Q1."""
    return ActionFactory(
        plan=plan,
        theme=theme,
        lead_officer=officer,
        reference="2.1",
        partners=[maidstone],
        start_date=datetime.date(2022, 8, 1),
    )


def test_a_quarter_ending_before_the_action_starts_is_refused(august_action, officer):
    with pytest.raises(ValidationError) as error:
        add(august_action, officer, quarter=Q1)
    assert error.value.message_dict["quarter"] == [
        "2022/23 Q1 ended before this action's start date, 1 August 2022. "
        "Updates can be added for 2022/23 Q2, 2022/23 Q3, 2022/23 Q4."
    ]
    assert not ProgressUpdate.objects.exists()
    assert update_window(august_action).quarters == (Q4, Q3, Q2)
    assert add(august_action, officer, quarter=Q2).period == Q2.code  # the quarter it starts in is fine


def test_an_action_whose_quarters_have_all_ended_before_it_starts(august_action, officer, settings):
    settings.PORTAL_TODAY = "2022-06-20"  # only Q1 has started, and the action starts in Q2
    window = update_window(august_action)
    reason = "This action starts on 1 August 2022: updates can be added for 2022/23 Q2 from 1 July 2022."
    assert (window.quarters, window.reason) == ((), reason)
    with pytest.raises(ValidationError) as error:
        add(august_action, officer, quarter=Q1)
    assert error.value.message_dict["quarter"] == [reason]


def test_an_action_starting_after_its_plan_year_can_take_no_update(plan, theme, officer):
    late = ActionFactory(
        plan=plan,
        theme=theme,
        lead_officer=officer,
        start_date=datetime.date(2023, 5, 1),
        due_date=datetime.date(2023, 9, 30),
    )
    window = update_window(late)
    assert not window.is_open
    assert window.reason.startswith(
        "This action starts on 1 May 2023, outside its 2022/23 action plan's year"
    )


def test_a_plans_own_reason_comes_before_the_start_date(august_action, officer):
    ActionPlan.objects.filter(pk=august_action.plan_id).update(status=ActionPlan.Status.CLOSED)
    august_action.plan.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        add(august_action, officer, quarter=Q1)
    assert error.value.message_dict["quarter"] == [
        "The 2022/23 action plan is closed: updates can no longer be added."
    ]
