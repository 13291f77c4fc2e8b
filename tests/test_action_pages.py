"""The officers' pages: my actions, the list and its CSV, an action, the update form."""

import csv
import datetime
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from accounts import roles
from accounts.factories import UserFactory
from actionplan import derived
from actionplan.factories import ActionFactory, PlanFactory, UpdateFactory
from actionplan.models import Action, ActionPlan, ProgressUpdate, QuarterLock
from core.quarters import Quarter
from tests.conftest import add_update
from tests.update_form_posts import form_data, update_url
from themes.factories import ThemeFactory

pytestmark = pytest.mark.django_db

Q3 = Quarter(2022, 3)


# --- Who may do what -------------------------------------------------------

PEOPLE = ["anonymous", "officer", "colleague", "councillor", "board_member", "administrator", "stranger"]
READERS = {"officer", "colleague", "councillor", "board_member", "administrator"}
WRITERS = {"officer", "administrator"}  # the action's lead, and administrators


def _expected(person, page, method):
    if person == "anonymous":
        return 302  # to sign-in, by the middleware
    if page == "update":
        if person not in WRITERS:
            return 403
        return 302 if method == "post" else 200
    if method == "post":
        return 405  # read-only pages accept no POST
    return 200 if person in READERS else 403


PAGES = {
    "list": lambda a: "/actions/",
    "mine": lambda a: "/actions/mine/",
    "export": lambda a: "/actions/export.csv",
    "detail": lambda a: f"/actions/{a.pk}/",
    "update": update_url,
}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("person", PEOPLE)
def test_each_role_on_each_page(client, request, action, person, page, method):
    if person != "anonymous":
        client.force_login(request.getfixturevalue(person))
    url = PAGES[page](action)
    data = form_data(action) if method == "post" else None
    response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code == _expected(person, page, method)
    if person == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    stored = ProgressUpdate.objects.filter(action=action).count()
    assert stored == (1 if (page, method) == ("update", "post") and person in WRITERS else 0)


def test_update_link_only_for_those_who_may_update(client, action, officer, colleague):
    client.force_login(officer)
    assert "Update this action" in client.get(f"/actions/{action.pk}/").content.decode()
    client.force_login(colleague)
    assert "Update this action" not in client.get(f"/actions/{action.pk}/").content.decode()


def test_my_actions_in_the_nav_for_officers_only(client, officer, councillor):
    client.force_login(officer)
    assert 'href="/actions/mine/"' in client.get("/actions/").content.decode()
    client.force_login(councillor)
    assert 'href="/actions/mine/"' not in client.get("/actions/").content.decode()


# --- The update form -------------------------------------------------------


def test_form_is_prefilled_from_the_last_update(client, action, officer):
    last = UpdateFactory(
        action=action,
        period=20222,
        status="in_progress",
        rag="amber",
        percent_complete=35,
        commentary="Waiting on supplier.",
        next_steps="Chase the supplier.",
    )
    client.force_login(officer)
    response = client.get(update_url(action))
    form = response.context["form"]
    assert form["percent_complete"].value() == 35
    assert form["rag"].value() == "amber"
    assert form["next_steps"].value() == "Chase the supplier."
    assert form["seen_update_id"].value() == last.pk
    html = " ".join(response.content.decode().split())
    assert f'name="seen_update_id" value="{last.pk}"' in html


def test_quarter_defaults_to_the_quarter_just_ended_in_its_first_month(client, action, officer):
    client.force_login(officer)
    form = client.get(update_url(action)).context["form"]
    # 16 January 2023 is in Q4's first month: Q3 updates are still coming in.
    assert form["quarter"].value() == 20223
    codes = [code for code, _ in form.fields["quarter"].choices]
    assert codes == [20221, 20222, 20223, 20224]  # oldest first, as a calendar reads


def test_locked_quarters_cannot_be_chosen(client, action, officer):
    QuarterLock.objects.create(period=20223)
    client.force_login(officer)
    form = client.get(update_url(action)).context["form"]
    assert [code for code, _ in form.fields["quarter"].choices] == [20224]
    assert form["quarter"].value() == 20224

    response = client.post(update_url(action), form_data(action, quarter="20223"))
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not action.updates.exists()


def test_locked_quarter_message_from_the_service_reaches_the_form(client, action, officer):
    """Locked between loading the form and saving it: the service refuses, clearly."""
    client.force_login(officer)
    # The form accepts any quarter and leaves the rule to the service.
    QuarterLock.objects.create(period=20223)
    response = client.post(update_url(action), form_data(action))
    assert response.status_code == 200
    assert "is locked because it has been reported to the board" in response.content.decode()
    assert '<a href="#id_quarter_1">' in response.content.decode()
    assert not action.updates.exists()


def test_saving_adds_an_update_and_shows_it_in_the_history(client, action, officer):
    client.force_login(officer)
    response = client.post(update_url(action), form_data(action))
    assert response.status_code == 302
    assert response["Location"] == f"/actions/{action.pk}/#history"
    update = action.updates.get()
    assert (update.period, update.status, update.rag, update.percent_complete) == (
        20223,
        "in_progress",
        "green",
        60,
    )
    assert update.author == officer
    action.refresh_from_db()
    assert action.latest_update == update
    page = client.get(f"/actions/{action.pk}/").content.decode()
    assert "Your update for 2022/23 Q3 has been saved." in page
    assert "Pilot finished; roll-out to the second site started." in page
    assert escape(officer.display_name) in page


def test_amber_without_commentary_is_refused_and_keeps_what_was_typed(client, action, officer):
    client.force_login(officer)
    data = form_data(action, rag="amber", commentary="", next_steps="My carefully written next steps.")
    response = client.post(update_url(action), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert '<a href="#id_commentary">Enter commentary explaining why the action is amber or red.</a>' in html
    assert "My carefully written next steps." in html
    assert response.context["form"]["rag"].value() == "amber"
    assert not action.updates.exists()


def test_revised_date_needs_a_reason(client, action, officer):
    client.force_login(officer)
    data = form_data(action, revised_due_date_0="30", revised_due_date_1="6", revised_due_date_2="2023")
    response = client.post(update_url(action), data)
    html = response.content.decode()
    assert '<a href="#id_revision_reason">Enter the reason the due date has changed.</a>' in html
    assert not action.updates.exists()

    data["revision_reason"] = "Supplier delivered the kit late."
    assert client.post(update_url(action), data).status_code == 302
    assert action.updates.get().revised_due_date == datetime.date(2023, 6, 30)


def test_impossible_date_and_percent_are_explained(client, action, officer):
    client.force_login(officer)
    data = form_data(
        action,
        percent_complete="lots",
        revised_due_date_0="31",
        revised_due_date_1="2",
        revised_due_date_2="2023",
        revision_reason="Late.",
    )
    html = client.post(update_url(action), data).content.decode()
    assert "Enter the percentage complete as a whole number, like 40" in html
    assert 'href="#id_percent_complete"' in html
    assert (
        '<a href="#id_revised_due_date_0">The revised due date must be a real date, like 31 3 2024</a>'
        in html
    )
    assert not action.updates.exists()


def test_completed_is_blue_and_100(client, action, officer):
    client.force_login(officer)
    client.post(update_url(action), form_data(action, status="completed", rag="", percent_complete=""))
    update = action.updates.get()
    assert (update.rag, update.percent_complete) == ("blue", 100)


def test_update_for_one_partner(client, action, officer, swale):
    client.force_login(officer)
    response = client.post(update_url(action), form_data(action, partner="swale"))
    assert response.status_code == 302
    update = action.updates.get()
    assert update.partner == swale
    action.refresh_from_db()
    assert action.latest_update is None  # the whole action's state is unchanged


def test_partner_the_action_does_not_serve_is_refused(client, action, officer):
    client.force_login(officer)
    response = client.post(update_url(action), form_data(action, partner="tunbridge-wells"))
    assert response.status_code == 200
    assert not action.updates.exists()


def test_no_change_copies_the_last_update_with_a_reason(client, action, officer):
    UpdateFactory(
        action=action,
        period=20222,
        status="in_progress",
        rag="amber",
        percent_complete=35,
        commentary="Waiting on supplier.",
        next_steps="Chase the supplier.",
        revised_due_date=datetime.date(2023, 6, 30),
        revision_reason="Supplier late.",
    )
    client.force_login(officer)
    data = form_data(
        action,
        change="no_change",
        no_change_reason="Still waiting on the supplier.",
        status="",
        rag="",
        percent_complete="",
        commentary="",
    )
    assert client.post(update_url(action), data).status_code == 302
    new = action.updates.order_by("-id").first()
    assert new.no_change is True
    assert new.commentary == "Still waiting on the supplier."
    assert (new.status, new.rag, new.percent_complete) == ("in_progress", "amber", 35)
    assert (new.revised_due_date, new.revision_reason) == (datetime.date(2023, 6, 30), "Supplier late.")
    assert new.period == 20223


def test_no_change_needs_a_reason(client, action, officer):
    UpdateFactory(action=action, period=20222)
    client.force_login(officer)
    response = client.post(update_url(action), form_data(action, change="no_change", no_change_reason=" "))
    assert '<a href="#id_no_change_reason">Enter why nothing has changed.</a>' in response.content.decode()
    assert action.updates.count() == 1


def test_no_change_is_not_offered_before_the_first_update(client, action, officer):
    client.force_login(officer)
    html = client.get(update_url(action)).content.decode()
    assert "No, nothing has changed" not in html
    response = client.post(update_url(action), form_data(action, change="no_change", no_change_reason="x"))
    assert "There is no earlier update to copy" in response.content.decode()
    assert not action.updates.exists()


def test_conflict_is_refused_shows_their_update_and_keeps_my_words(client, action, officer, administrator):
    client.force_login(officer)
    loaded = form_data(action, commentary="My long commentary, typed over twenty minutes.")
    add_update(
        action, administrator, rag="red", percent_complete=20, commentary="Budget withdrawn <b>today</b>."
    )
    response = client.post(update_url(action), loaded)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{escape(administrator.display_name)} updated this action" in html
    assert "Budget withdrawn &lt;b&gt;today&lt;/b&gt;." in html
    assert "My long commentary, typed over twenty minutes." in html
    assert action.updates.count() == 1

    # Saving again, now that they have seen it, is accepted.
    newer = action.updates.get()
    assert response.context["form"]["seen_update_id"].value() == str(newer.pk)
    resend = {**loaded, "seen_update_id": str(newer.pk)}
    assert client.post(update_url(action), resend).status_code == 302
    assert action.updates.count() == 2


def test_double_submit_stores_one_update(client, action, officer):
    client.force_login(officer)
    data = form_data(action)
    first = client.post(update_url(action), data)
    second = client.post(update_url(action), data)
    assert first.status_code == second.status_code == 302
    assert action.updates.count() == 1


def test_html_in_commentary_is_shown_escaped(client, action, officer, councillor):
    client.force_login(officer)
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.post(update_url(action), form_data(action, commentary=evil, next_steps=evil))
    client.force_login(councillor)
    html = client.get(f"/actions/{action.pk}/").content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


# --- The action page ---------------------------------------------------------


def test_action_page_shows_slippage_history_and_carried_forward(
    client, action, officer, administrator, strategy
):
    earlier_plan = PlanFactory(strategy=strategy, year=2021)
    earlier = ActionFactory(plan=earlier_plan, theme=action.theme, lead_officer=officer, reference="1.1")
    Action.objects.filter(pk=action.pk).update(carried_forward_from=earlier)
    UpdateFactory(action=action, period=20221, commentary="First quarter went well.")
    UpdateFactory(
        action=action,
        period=20222,
        author=administrator,
        rag="amber",
        commentary="Slipped.",
        revised_due_date=datetime.date(2023, 6, 30),
        revision_reason="Supplier late.",
    )
    client.force_login(officer)
    html = client.get(f"/actions/{action.pk}/").content.decode()
    assert "31 March 2023" in html  # original
    assert "30 June 2023" in html and "91 days later than planned" in html
    assert f'href="/actions/{earlier.pk}/"' in html and "2021/22 plan" in html
    assert html.index("Slipped.") < html.index("First quarter went well.")  # newest first
    assert escape(administrator.display_name) in html
    other = client.get(f"/actions/{earlier.pk}/").content.decode()
    assert f'href="/actions/{action.pk}/"' in other


def test_action_page_shows_each_partners_state(client, action, officer, maidstone, swale):
    UpdateFactory(action=action, period=20222, rag="green")
    UpdateFactory(action=action, period=20222, partner=swale, rag="red", commentary="Swale behind.")
    client.force_login(officer)
    response = client.get(f"/actions/{action.pk}/")
    states = {p.short_name: s.rag for p, s in response.context["partner_states"]}
    assert states == {"MBC": "green", "SBC": "red"}
    assert "Swale Borough Council only" in response.content.decode()


def test_missing_action_is_404(client, officer):
    client.force_login(officer)
    assert client.get("/actions/999999/").status_code == 404
    assert client.get("/actions/999999/update/").status_code == 404


# --- My actions and the list -------------------------------------------------


def test_my_actions_lists_due_updates_first(client, plan, theme, officer, colleague):
    done = ActionFactory(
        plan=plan, theme=theme, lead_officer=officer, reference="1.1", title="Already reported"
    )
    due = ActionFactory(
        plan=plan, theme=theme, lead_officer=officer, reference="1.2", title="Needs an update"
    )
    finished = ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="1.3", title="Finished")
    ActionFactory(plan=plan, theme=theme, lead_officer=colleague, reference="1.4", title="Someone else's")
    for action, period, status, rag, percent in [
        (done, 20223, "in_progress", "green", 50),
        (due, 20222, "in_progress", "green", 40),
        (finished, 20221, "completed", "blue", 100),
    ]:
        UpdateFactory(action=action, period=period, status=status, rag=rag, percent_complete=percent)
    client.force_login(officer)
    response = client.get("/actions/mine/")
    html = response.content.decode()
    titles = [row.state.action.title for row in response.context["rows"]]
    assert titles == ["Needs an update", "Already reported", "Finished"]
    assert [row.update_due for row in response.context["rows"]] == [True, False, False]
    assert "1 needs an update for 2022/23 Q3" in html
    assert "Someone else" not in html


@pytest.fixture
def new_year(plan, theme, officer):
    """April 2023: the 2022/23 plan's Q4 updates are coming in; the 2023/24 plan is a draft."""
    last_years = ActionFactory(
        plan=plan, theme=theme, lead_officer=officer, reference="1.1", title="Last year's"
    )
    draft = PlanFactory(strategy=plan.strategy, year=2023, status=ActionPlan.Status.DRAFT)
    this_years = ActionFactory(
        plan=draft, theme=theme, lead_officer=officer, reference="1.1", title="This year's"
    )
    return last_years, this_years


def my_actions(client, officer):
    client.force_login(officer)
    response = client.get("/actions/mine/")
    return response, " ".join(response.content.decode().split())


def test_my_actions_in_april_lists_last_years_plan_while_its_q4_is_open(client, settings, officer, new_year):
    settings.PORTAL_TODAY = "2023-04-12"
    last_years, this_years = new_year
    response, html = my_actions(client, officer)
    assert [(row.state.action, row.update_due) for row in response.context["rows"]] == [(last_years, True)]
    assert "2022/23 action plan</span>" in html
    assert "1 needs an update for 2022/23 Q4" in html
    assert f'href="{update_url(last_years)}"' in html and "This year's" not in html
    assert (
        "Your action in the 2023/24 action plan will be listed here once updates can be added to it. "
        "The 2023/24 action plan is still a draft: updates can be added once it has been approved." in html
    )


def test_my_actions_lists_both_plans_once_the_new_one_is_approved(client, settings, officer, new_year):
    settings.PORTAL_TODAY = "2023-04-12"
    last_years, this_years = new_year
    ActionPlan.objects.filter(year=2023).update(status=ActionPlan.Status.APPROVED)
    response, html = my_actions(client, officer)
    rows = {row.state.action: row for row in response.context["rows"]}
    assert set(rows) == {last_years, this_years}
    # 2022/23 Q4 is the reporting quarter: due for last year's action, not a quarter of this year's.
    assert (rows[last_years].update_due, rows[this_years].update_due) == (True, False)
    assert rows[this_years].window.quarters == (Quarter(2023, 1),)
    assert "2022/23 and 2023/24 action plans</span>" in html
    assert "Theme 1 · 2023/24 plan" in html
    assert f'href="{update_url(this_years)}"' in html


def test_my_actions_once_last_year_is_locked_shows_the_new_plan_with_nothing_due(
    client, settings, officer, new_year
):
    settings.PORTAL_TODAY = "2023-04-20"
    QuarterLock.objects.create(period=20224)
    last_years, this_years = new_year
    ActionPlan.objects.filter(year=2023).update(status=ActionPlan.Status.APPROVED)
    response, html = my_actions(client, officer)
    assert [(row.state.action, row.update_due) for row in response.context["rows"]] == [(this_years, False)]
    assert "need an update" not in html and "up to date" not in html


def test_my_actions_with_no_plan_taking_updates_shows_this_years_and_why(client, settings, officer, new_year):
    settings.PORTAL_TODAY = "2023-04-20"
    QuarterLock.objects.create(period=20224)
    last_years, this_years = new_year
    response, html = my_actions(client, officer)
    assert [(row.state.action, row.update_due) for row in response.context["rows"]] == [(this_years, False)]
    assert "The 2023/24 action plan is still a draft" in html and ">Closed<" in html
    assert f'href="{update_url(this_years)}"' not in html


def test_no_update_is_due_for_a_quarter_that_ended_before_the_action_started(client, plan, theme, officer):
    january = ActionFactory(
        plan=plan, theme=theme, lead_officer=officer, start_date=datetime.date(2023, 1, 9)
    )
    response, html = my_actions(client, officer)
    [row] = response.context["rows"]
    assert (row.update_due, row.quarter_open) == (False, False)  # 2022/23 Q3 ended before it started
    assert f'href="{update_url(january)}"' in html  # Q4 takes updates
    assert "Not needed" in html


def test_list_shows_officer_their_actions_summary(client, action, officer):
    client.force_login(officer)
    html = client.get("/actions/").content.decode()
    assert "You lead 1 action in the 2022/23 action plan" in html
    assert "Go to my actions" in html


def test_list_keeps_the_filter_in_the_url_for_pages_and_export(client, plan, theme, officer):
    for n in range(60):
        ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference=f"9.{n:02d}")
    client.force_login(officer)
    response = client.get("/actions/?theme=1&q=9.&ordering=-reference")
    html = response.content.decode()
    assert response.context["page"].paginator.count == 60
    assert "theme=1&amp;q=9.&amp;ordering=-reference&amp;page=2" in html
    assert "/actions/export.csv?theme=1&amp;q=9.&amp;ordering=-reference" in html
    assert response.context["states"][0].action.reference == "9.59"


def test_invalid_filter_is_explained(client, officer, action):
    client.force_login(officer)
    response = client.get("/actions/?ordering=nonsense")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_csv_exports_exactly_the_filtered_rows(client, plan, theme, officer, colleague):
    mine = [ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference=f"1.{n}") for n in range(3)]
    ActionFactory(plan=plan, theme=theme, lead_officer=colleague, reference="2.1")
    client.force_login(officer)
    response = client.get("/actions/export.csv?lead=priya")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["Plan year", "Reference"]
    assert sorted(r[1] for r in rows[1:]) == sorted(a.reference for a in mine)


def test_csv_neutralises_formulas(client, plan, theme, officer):
    action = ActionFactory(
        plan=plan, theme=theme, lead_officer=officer, reference="1.1", title='=HYPERLINK("http://evil")'
    )
    client.force_login(officer)
    client.post(update_url(action), form_data(action, commentary="+cmd|' /C calc'!A0", rag="amber"))
    rows = list(csv.reader(io.StringIO(client.get("/actions/export.csv").content.decode())))
    row = rows[1]
    assert row[3] == '\'=HYPERLINK("http://evil")'
    assert row[-1] == "'+cmd|' /C calc'!A0"
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in row)


# --- Query counts do not grow with the data ----------------------------------


def _bulk_actions(plan, theme, lead, partners, count, start):
    actions = Action.objects.bulk_create(
        Action(
            plan=plan,
            theme=theme,
            lead_officer=lead,
            reference=f"B.{start + n}",
            title=f"Bulk action {n}",
            start_date=datetime.date(2022, 4, 1),
            due_date=datetime.date(2022, 12, 31),
        )
        for n in range(count)
    )
    through = Action.partners.through
    through.objects.bulk_create(
        through(action_id=a.pk, partnerauthority_id=p.pk) for a in actions for p in partners
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            action=a,
            author=lead,
            period=20223,
            status="in_progress",
            rag="amber",
            percent_complete=40,
            commentary="Bulk.",
        )
        for a in actions
    )
    # Bulk writes send no signals: derive the latest updates and quarter states as the demo loader does.
    derived.refresh(Action.objects.filter(pk__in=[a.pk for a in actions]))
    return actions


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # The session middleware records "last seen" once a minute, whatever the page:
    # not the page's work, and timing-dependent on a busy machine.
    return len([q for q in queries if "django_session" not in q["sql"]])


@pytest.mark.parametrize(
    "url", ["/actions/", "/actions/?overdue=true&ordering=rag", "/actions/mine/", "/actions/export.csv"]
)
def test_list_queries_do_not_grow(client, plan, theme, officer, maidstone, swale, url):
    _bulk_actions(plan, theme, officer, [maidstone, swale], 10, 0)
    client.force_login(officer)
    _count_queries(client, url)  # warm per-session caches

    def cold_then_warm():
        cache.clear()  # the calendar line's returns are cached under the data's fingerprint
        return _count_queries(client, url), _count_queries(client, url)

    few = cold_then_warm()
    _bulk_actions(plan, theme, officer, [maidstone, swale], 990, 10)
    assert Action.objects.count() == 1000
    assert cold_then_warm() == few


@pytest.mark.parametrize("page", ["detail", "update"])
def test_action_page_queries_do_not_grow(client, plan, theme, officer, maidstone, swale, page):
    first = _bulk_actions(plan, theme, officer, [maidstone, swale], 10, 0)[0]
    url = f"/actions/{first.pk}/" if page == "detail" else update_url(first)
    client.force_login(officer)
    _count_queries(client, url)
    few = _count_queries(client, url)
    _bulk_actions(plan, theme, officer, [maidstone, swale], 990, 10)
    for period in (20221, 20222):
        UpdateFactory.create_batch(20, action=first, period=period)
    assert _count_queries(client, url) == few


def test_administrator_may_update_any_action(client, action, administrator):
    client.force_login(administrator)
    assert client.post(update_url(action), form_data(action)).status_code == 302
    assert action.updates.get().author == administrator


def test_officer_without_plan_actions_sees_an_empty_my_actions(client, db):
    person = UserFactory(username="new-officer", role=roles.OFFICER)
    client.force_login(person)
    assert "You do not lead any actions" in client.get("/actions/mine/").content.decode()


def test_other_theme_numbers_are_filterable(client, plan, strategy, officer):
    other = ThemeFactory(strategy=strategy, number=4, title="Customer support")
    ActionFactory(plan=plan, theme=other, lead_officer=officer, reference="4.1")
    client.force_login(officer)
    response = client.get("/actions/?theme=4")
    assert [s.action.reference for s in response.context["states"]] == ["4.1"]


def test_refusal_is_a_portal_page_that_explains(client, action, councillor):
    client.force_login(councillor)
    response = client.get(update_url(action))
    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot do this" in html and "govuk-header" not in html
    assert "Sign out" in html  # the service's header and navigation are still there


def test_a_partner_update_alone_leaves_the_update_due(client, action, officer, swale):
    """As for the reminders and the calendar line above the table: the whole action owes its update."""
    UpdateFactory(action=action, period=Q3.code, partner=swale, rag="amber", commentary="Swale behind.")
    response, html = my_actions(client, officer)
    assert [row.update_due for row in response.context["rows"]] == [True]
    assert "0 of your 1 received" in html and "1 needs an update for 2022/23 Q3" in html
