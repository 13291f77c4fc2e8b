"""Issue 19's rough edges, each mended: what a new user met, and what they meet now."""

import pytest
from django.utils.html import escape

from tests.conftest import add_update
from tests.update_form_posts import form_data, update_url

pytestmark = pytest.mark.django_db


def test_my_own_update_in_another_tab_is_told_in_the_second_person(client, action, officer):
    client.force_login(officer)
    loaded = form_data(action, commentary="Typed in the first tab.")
    add_update(action, officer, rag="amber", percent_complete=30, commentary="Saved in the second tab.")
    html = client.post(update_url(action), loaded).content.decode()
    assert "You updated this action at" in html and "in another tab or window" in html
    assert f"{escape(officer.display_name)} updated this action" not in html
    assert action.updates.count() == 1


def test_the_no_change_reason_is_revealed_by_its_answer(client, action, officer):
    add_update(action, officer, rag="green", percent_complete=10)
    client.force_login(officer)
    html = client.get(update_url(action)).content.decode()
    # GOV.UK's conditional reveal: the "No" radio controls the box holding the reason.
    assert 'aria-controls="conditional_change_1"' in html
    assert 'aria-controls="conditional_change_0"' not in html  # "Yes" reveals nothing
    reveal = html.split('id="conditional_change_1"', 1)[1].split("</textarea>", 1)[0]
    assert 'name="no_change_reason"' in reveal
    assert 'class="govuk-radios--small' not in html and "govuk-radios govuk-radios--small" not in html


def test_the_dashboard_filter_puts_no_token_in_the_address(client, officer, action):
    client.force_login(officer)
    form = (
        client.get("/").content.decode().split('<form method="get" action="/"', 1)[1].split("</form>", 1)[0]
    )
    assert "csrfmiddlewaretoken" not in form


def test_the_dashboard_charts_name_the_themes(client, officer, action, theme):
    client.force_login(officer)
    chart = client.get("/").content.decode().split('id="chart-themes"', 1)[1].split("</svg>", 1)[0]
    assert escape(f"{theme.number}. {theme.title}").split()[0] in chart
    assert f">Theme {theme.number}<" not in chart


@pytest.mark.parametrize("path", ["/admin/", "/admin/actionplan/action/"])
def test_an_officer_at_the_admin_gets_the_portals_refusal(client, officer, path):
    client.force_login(officer)
    response = client.get(path, follow=True)
    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot do this" in html and "Log in" not in html


def test_an_anonymous_visitor_at_the_admin_signs_in_on_the_portals_page(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=/admin/")


def test_the_admin_speaks_plainly(client, administrator):
    client.force_login(administrator)
    html = client.get("/admin/").content.decode()
    for jargon in ("Axes", "AXES", "Auth Token", "TOTP devices", "Recent actions", "My actions"):
        assert jargon not in html, jargon
    assert "Sign-in attempts and lock-outs" in html and "Authenticator apps" in html
    assert 'href="/audit/"' in html


def test_administrators_reach_the_audit_trail_from_the_menu(client, administrator, officer):
    client.force_login(administrator)
    assert 'href="/audit/"' in client.get("/actions/").content.decode()
    client.force_login(officer)
    assert 'href="/audit/"' not in client.get("/actions/").content.decode()


def test_a_councillor_is_not_told_about_their_updates(client, councillor, action):
    client.force_login(councillor)
    html = client.get("/actions/mine/").content.decode()
    assert " of your " not in html
    assert "Officers lead actions" in html


def test_the_accessibility_statement_gives_contact_details_and_enforcement(client, settings):
    settings.ACCESSIBILITY_EMAIL = "access@council.example.gov.uk"
    settings.ACCESSIBILITY_PHONE = "01622 000000"
    html = client.get("/accessibility/").content.decode()
    assert 'href="mailto:access@council.example.gov.uk"' in html and "01622 000000" in html
    assert "Enforcement procedure" in html and "Equality Advisory and Support Service" in html
    settings.ACCESSIBILITY_ENFORCEMENT = "ecni"
    assert "Equality Commission for Northern Ireland" in client.get("/accessibility/").content.decode()
