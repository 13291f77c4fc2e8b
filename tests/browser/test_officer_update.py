"""An officer finds an action through the filters and updates it by keyboard alone."""

import pytest

from actionplan.factories import ActionFactory, UpdateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector, limit=80):
    """Press Tab until `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


@pytest.fixture
def laptops(plan, theme, officer, colleague, maidstone, swale):
    action = ActionFactory(
        plan=plan,
        theme=theme,
        lead_officer=officer,
        reference="1.4",
        title="Replace laptops for social workers",
        partners=[maidstone, swale],
    )
    UpdateFactory(action=action, period=20222, commentary="Half the laptops are out.", percent_complete=50)
    for n in range(5):
        ActionFactory(plan=plan, theme=theme, lead_officer=colleague, reference=f"1.{n + 5}")
    return action


def test_officer_finds_and_updates_an_action_by_keyboard(page, sign_in, officer, laptops):
    sign_in(officer)
    page.goto("/actions/")

    tab_to(page, "#id_q")
    page.keyboard.type("laptops")
    tab_to(page, "#id_lead")
    page.keyboard.type(officer.display_name)  # a closed select's type-ahead, no mouse
    tab_to(page, ".app-filter button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=laptops" in page.url and f"lead={officer.username}" in page.url
    rows = page.locator("table.govuk-table tbody tr")
    assert rows.count() == 1
    assert "Replace laptops for social workers" in rows.first.inner_text()

    tab_to(page, f"a[href='/actions/{laptops.pk}/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Replace laptops for social workers"

    tab_to(page, f"a[href='/actions/{laptops.pk}/update/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Update")

    # The RAG radios start at the last update's Green: move to Amber with the arrow key.
    tab_to(page, "input[name=rag]:checked")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#id_percent_complete")
    page.keyboard.press("Control+A")
    page.keyboard.type("65")
    tab_to(page, "#id_commentary")
    page.keyboard.type("Delivery slowed by a supplier shortage; 65% of laptops out.")
    tab_to(page, "button[name=save]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url.endswith(f"/actions/{laptops.pk}/#history")
    assert (
        "Your update for 2022/23 Q3 has been saved."
        in page.locator(".govuk-notification-banner").inner_text()
    )
    newest = page.locator(".app-history__item").first.inner_text()
    assert "2022/23 Q3" in newest
    assert "Amber" in newest and "65% complete" in newest
    assert "Delivery slowed by a supplier shortage" in newest
    assert officer.display_name in newest
    assert laptops.updates.count() == 2


def test_error_summary_links_move_focus_to_the_field(page, sign_in, officer, laptops):
    sign_in(officer)
    page.goto(f"/actions/{laptops.pk}/update/")
    page.locator("#id_rag_3").check()  # Red, without commentary
    page.locator("#id_commentary").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Save update").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter commentary explaining why the action is amber or red." in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_commentary"
    assert page.locator("#id_rag_3").is_checked()  # what they chose is kept
    assert laptops.updates.count() == 1
