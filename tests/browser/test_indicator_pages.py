"""The indicator pages in a real browser: the value form by keyboard alone, with its errors
all at once, and no axe-core violations on the scorecard and an indicator's page."""

from decimal import Decimal

import pytest

from indicators.factories import IndicatorFactory, TargetFactory, ValueFactory
from indicators.models import IndicatorValue
from tests.browser.test_keyboard_journeys import tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Decimal


@pytest.fixture
def indicator(strategy, theme, officer):
    indicator = IndicatorFactory(
        strategy=strategy, theme=theme, owner=officer, code="PI 4.1", name="First-contact resolution",
        frequency="monthly", roll_up="average",
    )  # fmt: skip
    TargetFactory(indicator=indicator, year=2022, target=D(70), tolerance=D(5))
    for month, actual in ((10, 71), (11, 66)):
        ValueFactory(
            indicator=indicator, period_end=f"2022-{month}-{30 if month == 11 else 31}", actual=D(actual)
        )
    return indicator


def test_the_scorecard_is_accessible(page, sign_in, assert_accessible, councillor, indicator):
    sign_in(councillor)
    page.goto("/indicators/")
    assert page.get_by_role("link", name="PI 4.1 First-contact resolution").is_visible()
    assert_accessible()
    page.goto("/indicators/?rag=amber")
    assert_accessible()


def test_the_indicator_page_is_accessible(page, sign_in, assert_accessible, officer, indicator):
    sign_in(officer)
    page.goto(f"/indicators/{indicator.pk}/")
    assert page.locator("svg[role=img] title").first.text_content().startswith("First-contact resolution")
    assert_accessible()


def test_a_value_is_recorded_by_keyboard_with_every_error_at_once(
    page, sign_in, assert_accessible, officer, indicator
):
    sign_in(officer)
    page.goto(f"/indicators/{indicator.pk}/")
    tab_to(page, "#id_period")
    page.keyboard.press("ArrowDown")  # the newest open period, December 2022
    assert page.locator("#id_period").input_value() == "2022-12"
    tab_to(page, "#id_actual")
    page.keyboard.type("58")  # red, and no commentary
    tab_to(page, "#id_numerator")
    page.keyboard.type("580")  # and no denominator
    tab_to(page, "button.govuk-button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    text = summary.inner_text()
    assert "Commentary" in text and "Denominator" in text
    assert page.locator("#id_actual").input_value() == "58"  # what was typed is kept
    assert_accessible()
    # From the summary's link to the question, then put it right.
    tab_to(page, ".govuk-error-summary a[href='#id_denominator']", backwards=False)
    page.keyboard.press("Enter")
    page.keyboard.type("1000")
    tab_to(page, "#id_commentary")
    page.keyboard.type("Two analysts left in November; their replacements start in January.")
    tab_to(page, "button.govuk-button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    value = IndicatorValue.objects.order_by("-id").first()
    assert (value.period.label, value.actual, value.denominator) == ("December 2022", D("58.00"), D(1000))
    assert "has been saved" in page.locator(".govuk-notification-banner").inner_text()
