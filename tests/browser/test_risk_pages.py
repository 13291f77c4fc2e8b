"""The risk register in a real browser: the heat map readable without colour and axe-clean,
and the owner's review form by keyboard alone (the error summary first, then a save)."""

import pytest

from risks.factories import ReviewFactory, RiskFactory
from risks.models import RiskReview
from tests.browser.test_officer_update import tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def register(strategy, theme, officer, colleague):
    risks = []
    for n, (lk, im, title) in enumerate(
        [(4, 5, "Ransomware attack"), (3, 3, "Key supplier fails"), (1, 2, "Loss of PSN compliance")], start=1
    ):
        risk = RiskFactory(strategy=strategy, theme=theme, owner=officer if n == 1 else colleague,
                           reference=f"R{n}", title=title, appetite=10)  # fmt: skip
        ReviewFactory(
            risk=risk, period=20222, likelihood=max(1, lk - 1), impact=im, commentary="Last quarter."
        )
        ReviewFactory(risk=risk, period=20223, likelihood=lk, impact=im, commentary="This quarter.")
        risks.append(risk)
    return risks


def test_the_heat_map_names_each_band_in_text_and_the_register_is_axe_clean(
    page, sign_in, councillor, register, assert_accessible
):
    sign_in(councillor)
    page.goto("/risks/")
    assert_accessible()
    cells = page.locator("#heat-map a")
    assert cells.count() == 3  # one link per square with risks
    for n in range(cells.count()):
        label = cells.nth(n).get_attribute("aria-label")
        shown = cells.nth(n).text_content()
        band = label.rsplit(", ", 1)[1].capitalize()
        assert band in shown, (label, shown)  # the band is printed in the square, not only coloured
    assert "1 risk with likelihood 4 Likely and impact 5 Catastrophic: score 20, high" in [
        cells.nth(n).get_attribute("aria-label") for n in range(cells.count())
    ]
    # Every square also reads as text, in the table beside the map.
    table = page.locator("#heat-map-table")
    assert "High, score 20" in table.inner_text()
    # A square leads to its risks, by keyboard.
    tab_to(page, '#heat-map a[aria-label^="1 risk with likelihood 4"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "likelihood=4" in page.url and "impact=5" in page.url
    assert page.get_by_role("link", name="Ransomware attack").is_visible()
    assert not page.get_by_role("link", name="Key supplier fails").is_visible()
    assert_accessible()


def test_the_owner_reviews_a_risk_by_keyboard_alone(page, sign_in, officer, register, assert_accessible):
    risk = register[0]
    sign_in(officer)
    page.goto(f"/risks/{risk.pk}/")
    assert_accessible()
    tab_to(page, 'a[href="#review"]')
    page.keyboard.press("Enter")
    # Likely (4) and Catastrophic (5) again, and no effectiveness: the error summary lists it.
    tab_to(page, "#id_likelihood_1", limit=150)
    page.keyboard.press("ArrowDown")  # 5 Almost certain -> 4 Likely
    tab_to(page, "#id_impact_1")
    page.keyboard.press("Space")  # 5 Catastrophic
    tab_to(page, "#id_commentary")
    page.keyboard.type("Two nearby councils were attacked this month.")
    tab_to(page, "#id_submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible() and "Choose how effective the controls are" in summary.inner_text()
    assert page.locator("#id_commentary").input_value() == "Two nearby councils were attacked this month."
    assert_accessible()
    # From the summary's link straight to the answer.
    tab_to(page, '.govuk-error-summary a[href="#id_control_effectiveness_1"]', limit=150)
    page.keyboard.press("Enter")
    tab_to(page, "#id_control_effectiveness_1", limit=150)
    page.keyboard.press("ArrowDown")  # Partially effective
    tab_to(page, "#id_submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Your review for 2022/23 Q3 has been saved.").is_visible()
    review = RiskReview.objects.filter(risk=risk).order_by("-id").first()
    assert (review.likelihood, review.impact, review.control_effectiveness) == (4, 5, "partial")
    assert_accessible()
