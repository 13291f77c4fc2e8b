"""Every page of the route matrix, as each role that may see it, at 1280 and 320 px wide.

For each role, one signed-in browser visits every route whose GET the matrix
(tests/security/permission_matrix.py) answers with 200 for that role, so a new page
is checked here as soon as it has a rule. At each width: no axe-core violation of any
impact, and no horizontal scroll of the page itself (the document no wider than the
window; a wide table may scroll inside its own region). 320 px is also what a
1280 px window shows at 400% zoom (WCAG 1.4.10).

Not pages, so not visited: the API (JSON; its /api/v1/docs/ is drf-spectacular's
Swagger UI, third-party), file downloads (CSV, PDF), and Django's admin (not built on
the GOV.UK Design System: the accessibility statement says so).
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from actionplan.factories import ActionFactory, UpdateFactory
from reporting.models import Delivery
from tests.security.permission_matrix import MATRIX, ROLES
from tests.security.test_route_matrix import approver, objects, people  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = ((1280, 900), (320, 800))
LONG_TITLE = "Replace the end-of-life storage area network at the Maidstone and Tunbridge Wells data centres"


def pages_for(role: str) -> list[tuple[str, str]]:
    """(route name, path template) of every HTML page the matrix lets `role` GET."""
    return [
        (name, rule["path"])
        for name, rule in sorted(MATRIX.items())
        if rule.get("GET", {}).get(role) == 200 and not rule["path"].startswith("/api/")
    ]


@pytest.fixture
def world(objects, action, officer, colleague, administrator, swale, plan, theme):  # noqa: F811
    """The matrix's objects, with the history, slippage, councils that differ and long
    words that make pages wide: every table has rows."""
    UpdateFactory(action=action, period=20221, commentary="Started well.", percent_complete=20)
    UpdateFactory(action=action, period=20222, partner=swale, rag="red", commentary="Swale's site is behind.")
    UpdateFactory(
        action=action,
        period=20222,
        author=administrator,
        rag="amber",
        percent_complete=45,
        commentary="Slipped a quarter: the supplier's survey of both sites took longer than planned.",
        revised_due_date=datetime.date(2023, 6, 30),
        revision_reason="Supplier late.",
    )
    ActionFactory(
        plan=plan,
        theme=theme,
        lead_officer=officer,
        reference="1.9",
        title=LONG_TITLE,
        due_date=datetime.date(2022, 9, 30),
    )
    colleague.email = "gareth.longsurname-doublebarrelled@swale-borough-council.example.gov.uk"
    colleague.save()
    Delivery.objects.create(
        report_id=objects["report"],
        name="Councillor Alexandra Featherstonehaugh-Whittingham",
        email="alexandra.featherstonehaugh-whittingham@tunbridgewells.example.gov.uk",
        state=Delivery.State.FAILED,
        attempts=3,
        error="SMTP 451 4.7.1 Greylisted, please try again in 300 seconds",
    )
    return objects


def _visit_all(browser, live_server, user, pages, placeholders) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    problems = []
    try:
        for name, template in pages:
            path = template.format(**placeholders)
            # Asked first without the page: a download (CSV, PDF) would not open as one.
            if not context.request.get(path).headers.get("content-type", "").startswith("text/html"):
                continue
            page.set_viewport_size({"width": 1280, "height": 900})
            response = page.goto(path)
            if response.status != 200:
                problems.append(f"{name} {path}: HTTP {response.status}")
                continue
            for width, height in WIDTHS:
                page.set_viewport_size({"width": width, "height": height})
                scroll, window = page.evaluate(
                    "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
                )
                if scroll > window:
                    problems.append(f"{name} {path} at {width}px: the page is {scroll}px wide")
                results = axe.run(page)
                if results.violations_count:
                    problems.append(f"{name} {path} at {width}px:\n{results.generate_report()}")
    finally:
        context.close()
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_page_reflows_and_is_axe_clean(role, browser, live_server, people, world):  # noqa: F811
    pages = pages_for(role)
    assert len(pages) >= (3 if role == "anonymous" else 8), pages  # the walk itself is not empty
    problems = _visit_all(browser, live_server, people[role], pages, world)
    assert not problems, "\n".join(problems)
