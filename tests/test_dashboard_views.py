"""The dashboard page: who sees it, what it shows, filters, links and query counts."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actionplan import derived
from actionplan.factories import ActionFactory, PlanFactory, UpdateFactory
from actionplan.models import Action, ProgressUpdate
from tests.conftest import add_update

pytestmark = pytest.mark.django_db

VIEWS = ["/", "/?as_at=20222", "/?partner=swale", "/?partner=swale&as_at=20221", "/?theme=1&year=2022"]


def grow(plan, theme, officer, partners, n):
    """Add n actions with a year of overall and partner updates, in bulk."""
    start = Action.objects.count()
    actions = Action.objects.bulk_create(
        Action(
            plan=plan,
            theme=theme,
            reference=f"G.{start + i}",
            title=f"Grown action {start + i}",
            lead_officer=officer,
            start_date=datetime.date(2022, 4, 1),
            due_date=datetime.date(2022, 9, 30) if i % 3 else datetime.date(2023, 3, 31),
        )
        for i in range(n)
    )
    through = Action.partners.through
    through.objects.bulk_create(
        through(action_id=a.pk, partnerauthority_id=p.pk) for a in actions for p in partners[: 1 + a.pk % 2]
    )
    when = timezone.make_aware(datetime.datetime(2022, 10, 5, 9))
    updates = []
    for i, a in enumerate(actions):
        rag = ["green", "amber", "red"][i % 3]
        updates.append(
            ProgressUpdate(
                action=a,
                period=20221,
                status="in_progress",
                rag="green",
                percent_complete=20,
                author=officer,
                created_at=when,
            )
        )
        updates.append(
            ProgressUpdate(
                action=a,
                period=20222,
                status="in_progress",
                rag=rag,
                percent_complete=40,
                commentary="Note",
                author=officer,
                created_at=when,
                revised_due_date=datetime.date(2023, 3, 31) if i % 4 == 0 else None,
                revision_reason="Funding" if i % 4 == 0 else "",
            )
        )
        updates.append(
            ProgressUpdate(
                action=a,
                partner=partners[0],
                period=20222,
                status="in_progress",
                rag="amber",
                percent_complete=30,
                commentary="Partner",
                author=officer,
                created_at=when,
            )
        )
    ProgressUpdate.objects.bulk_create(updates)
    # Bulk writes send no signals: derive the latest updates and quarter states as the demo loader does.
    derived.refresh(Action.objects.filter(pk__in=[a.pk for a in actions]))


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_the_actions(
    client, councillor, plan, theme, officer, maidstone, swale
):
    client.force_login(councillor)
    grow(plan, theme, officer, [swale, maidstone], 10)
    client.get("/accessibility/")  # the first request after signing in saves the session
    small = {}
    for url in VIEWS:
        cache.clear()
        small[url] = (count_queries(client, url), count_queries(client, url))  # computed, then cached
    grow(plan, theme, officer, [swale, maidstone], 990)
    assert Action.objects.filter(plan=plan).count() == 1000
    cache.clear()
    assert ">1000<" in client.get("/").content.decode()  # the figures cover every action
    for url in VIEWS:
        cache.clear()
        assert (count_queries(client, url), count_queries(client, url)) == small[url], url
    # Served from the cache: the session, the user, their roles and the data fingerprint.
    assert max(warm for _cold, warm in small.values()) == 4


def test_councillor_sees_the_dashboard(client, councillor, action):
    UpdateFactory(action=action, period=20222, rag="red", commentary="Late", created_at=timezone.now())
    client.force_login(councillor)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-current="page"><strong class="govuk-service-navigation__active-fallback">Dashboard' in html
    assert "Action plan 2022/23" in html
    assert "How these figures are calculated" in html
    assert "cancelled and deferred" in html
    for heading in ("By theme", "By partner authority", "Overdue actions", "Slippage register", "Trend"):
        assert heading in html


@pytest.mark.parametrize("who", ["officer", "board_member", "administrator"])
def test_every_role_reads_the_dashboard(client, request, who, plan):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/")
    assert response.status_code == 200
    # The strategy's plan for the year, with its figures, not an empty or error page.
    assert response.context["rollup"].plan == plan
    assert plan.strategy.title in response.content.decode()


def test_user_without_a_role_is_refused(client, stranger, plan):
    client.force_login(stranger)
    assert client.get("/").status_code == 403


def test_dashboard_refuses_post(client, councillor, plan):
    client.force_login(councillor)
    assert client.post("/").status_code == 405


def test_live_figures_link_to_the_action_list(client, councillor, action, officer):
    add_update(action, officer, rag="red", percent_complete=30, commentary="Supplier failed")
    client.force_login(councillor)
    html = client.get("/").content.decode()
    assert 'href="/actions/?year=2022&amp;rag=red">1<span class="govuk-visually-hidden"> actions: Red' in html
    assert 'href="/actions/?year=2022&amp;theme=1&amp;rag=red"' in html
    assert 'href="/actions/?year=2022&amp;status=in_progress"' in html


def test_as_at_figures_link_to_the_list_as_at_that_quarter(client, councillor, action, officer):
    UpdateFactory(action=action, period=20221, rag="red", commentary="Late", created_at=timezone.now())
    # Green now: the list as at Q1 must still show it red, as the figure counts it.
    UpdateFactory(action=action, period=20222, rag="green", created_at=timezone.now())
    client.force_login(councillor)
    html = client.get("/?as_at=20221").content.decode()
    assert "as at the end of 2022/23 Q1 (30 June 2022)" in html
    assert "What changed since the end of 2021/22 Q4" in html
    link = "/actions/?year=2022&amp;as_at=20221&amp;rag=red"
    assert f'href="{link}">1<' in html
    listed = client.get(link.replace("&amp;", "&"))
    assert [s.action.pk for s in listed.context["states"]] == [action.pk]
    assert listed.context["states"][0].rag == "red"
    assert client.get("/actions/?year=2022&rag=red").context["states"] == []


def test_as_at_sets_the_plan_year(client, councillor, strategy, theme, officer):
    from actionplan.factories import PlanFactory

    old = ActionFactory(plan=PlanFactory(strategy=strategy, year=2021), theme=theme, lead_officer=officer)
    UpdateFactory(action=old, period=20213, rag="green", created_at=timezone.now())
    client.force_login(councillor)
    html = client.get("/?as_at=20213").content.decode()
    assert "Action plan 2021/22" in html and "as at the end of 2021/22 Q3" in html


def test_partner_view_uses_the_partners_own_state(client, councillor, action, swale):
    UpdateFactory(action=action, period=20222, rag="green", created_at=timezone.now())
    UpdateFactory(
        action=action, partner=swale, period=20222, rag="red", commentary="x", created_at=timezone.now()
    )
    client.force_login(councillor)
    html = client.get("/?partner=swale&as_at=20222").content.decode()
    assert "Action plan 2022/23: Swale Borough Council" in html
    rag_table = html[
        html.index('<caption class="govuk-table__caption govuk-table__caption--s">Actions by RAG') :
    ]
    assert re.search(r">Red</th><td[^>]*>(<a[^>]*>)?1<", rag_table[: rag_table.index("</table>")])
    # The figure links to exactly the action it counts: red at Swale, green overall.
    assert 'href="/actions/?year=2022&amp;as_at=20222&amp;partner=swale&amp;rag=red">1<' in html


def test_bad_filters_get_a_clear_message_and_the_default_picture(client, councillor, action):
    client.force_login(councillor)
    response = client.get("/?as_at=20304&partner=atlantis&theme=99&year=1999")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    for message in (
        "Choose a quarter that has ended, or latest updates",
        "Choose one of the partner authorities",
        "Choose one of the strategy&#x27;s themes",
        "Choose a plan year of the strategy",
    ):
        assert message in html
    assert "Action plan 2022/23" in html and "latest updates at 16 January 2023" in html
    # The selects show the picture on the screen, not the rejected values.
    assert '<option value="2022" selected>2022/23</option>' in html
    assert '<option value="" selected>All partners</option>' in html


def test_as_at_before_the_plans_year_is_refused_with_a_message(client, councillor, action):
    client.force_login(councillor)
    html = client.get("/?year=2022&as_at=20214").content.decode()
    assert "There is a problem" in html
    assert "The 2022/23 plan starts in 2022/23 Q1: choose it or a later quarter" in html
    assert "Action plan 2022/23" in html and "latest updates at 16 January 2023" in html
    # A refused choice is not cached as if it were the page for those filters.
    assert "There is a problem" in client.get("/?year=2022&as_at=20214").content.decode()


def test_as_at_offers_only_quarters_that_have_ended(client, councillor, action):
    """16 January 2023 is in 2022/23 Q4: its end, 31 March 2023, is still to come."""
    client.force_login(councillor)
    html = client.get("/").content.decode()
    assert '<option value="20223">2022/23 Q3</option>' in html
    assert 'value="20224"' not in html
    refused = client.get("/?as_at=20224").content.decode()
    assert "Choose a quarter that has ended, or latest updates" in refused
    assert "31 March 2023" not in refused


def test_as_at_after_the_plans_year_shows_the_years_end(client, councillor, strategy, theme, officer):
    last_year = ActionFactory(
        plan=PlanFactory(strategy=strategy, year=2021), theme=theme, lead_officer=officer
    )
    UpdateFactory(action=last_year, period=20214, rag="red", commentary="Late", created_at=timezone.now())
    client.force_login(councillor)
    html = client.get("/?year=2021&as_at=20222").content.decode()
    assert "There is a problem" not in html
    assert "Action plan 2021/22" in html
    rag_table = html[
        html.index('<caption class="govuk-table__caption govuk-table__caption--s">Actions by RAG') :
    ]
    assert re.search(r">Red</th><td[^>]*>(<a[^>]*>)?1<", rag_table[: rag_table.index("</table>")])


def test_a_new_update_shows_at_once(client, councillor, action, officer):
    client.force_login(councillor)
    before = client.get("/").content.decode()
    assert "rag=red" in before
    add_update(action, officer, rag="red", percent_complete=30, commentary="Supplier failed")
    after = client.get("/").content.decode()
    assert 'rag=red">1<' in after and 'rag=red">1<' not in before


def test_no_active_strategy(client, councillor):
    client.force_login(councillor)
    response = client.get("/")
    assert response.status_code == 200
    assert "There is no active strategy yet" in response.content.decode()


def test_an_active_strategy_with_no_plans_yet_says_so(client, councillor, strategy):
    # A council that has just set up its strategy: the dashboard answered 500 (min() of no plans).
    client.force_login(councillor)
    response = client.get("/")
    assert response.status_code == 200
    assert "ICT Strategy 2019-2024 has no action plans yet" in response.content.decode()


def test_charts_are_labelled_images_with_a_table_beside_them(client, councillor, action):
    UpdateFactory(action=action, period=20222, rag="amber", commentary="x", created_at=timezone.now())
    client.force_login(councillor)
    html = client.get("/?as_at=20222").content.decode()
    svgs = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    assert len(svgs) == 5
    ns = {"svg": "http://www.w3.org/2000/svg"}
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        title, desc = root.find("svg:title", ns), root.find("svg:desc", ns)
        assert title.text and desc.text
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "Amber 1 (100%)" in svgs[0]
    assert html.count("<table") >= 6
