"""The indicators beside the actions: the dashboard's panel, the board report's "Performance
indicators" section (numbered, in the contents, tagged, with alt text), the board e-mail, and a
locked quarter that never changes."""

import io
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from actionplan import services as action_services
from actionplan.factories import ActionFactory
from core.quarters import Quarter
from indicators import services
from indicators.factories import IndicatorFactory, TargetFactory, ValueFactory
from indicators.periods import Period
from reporting import services as reporting
from reporting.factories import BoardReportFactory
from themes.factories import ThemeFactory

D = Decimal
Q2, Q3 = Quarter(2022, 2), Quarter(2022, 3)
COMMENT = (
    "Patching slipped while two engineers were redeployed to the data-centre move; back on track by February."
)


@pytest.fixture
def scorecard(strategy, theme, officer, plan):
    ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="1.1")
    other_theme = ThemeFactory(strategy=strategy, number=3, title="Resilient solutions")
    patched = IndicatorFactory(
        strategy=strategy,
        theme=other_theme,
        owner=officer,
        code="PI 3.1",
        name="Servers patched within 14 days",
    )
    TargetFactory(indicator=patched, year=2022, target=D(95), tolerance=D(3))
    fcr = IndicatorFactory(
        strategy=strategy, theme=theme, owner=officer, code="PI 1.1", name="First-contact resolution",
        frequency="monthly", roll_up="average",
    )  # fmt: skip
    TargetFactory(indicator=fcr, year=2022, target=D(70), tolerance=D(5))
    for quarter, actual in ((Quarter(2021, 3), 97), (Q2, 96), (Q3, 88)):
        ValueFactory(indicator=patched, period_end=quarter.last_day, actual=D(actual), commentary=COMMENT)
    for month, actual in ((7, 68), (8, 69), (9, 70), (10, 71), (11, 72), (12, 73)):
        ValueFactory(indicator=fcr, period_end=Period.month(2022, month).end, actual=D(actual))
    return patched, fcr


def test_the_dashboard_panel(client, councillor, scorecard):
    client.force_login(councillor)
    html = client.get("/?year=2022").content.decode()
    assert "Performance indicators" in html
    assert "PI 3.1 Servers patched within 14 days" in html  # the red, listed
    assert "2 indicators at the end of 2022/23 Q3" in html
    assert "1 improving and 1 worsening" in html


def test_the_dashboard_changes_when_a_value_is_recorded(client, councillor, officer, scorecard):
    client.force_login(councillor)
    assert "PI 3.1 Servers patched" in client.get("/?year=2022").content.decode()
    services.value_create(
        indicator=scorecard[0],
        author=officer,
        draft=services.ValueDraft(period=Period.of_quarter(Q3), actual=D(96)),
        check_version=False,
    )
    # The page is cached on the data version, which the new value changes.
    assert "PI 3.1 Servers patched" not in client.get("/?year=2022").content.decode()


def _report_html(strategy, period=Q3.code):
    report = BoardReportFactory(strategy=strategy, period=period)
    return report, reporting.report_html(report)


def test_the_report_section_is_numbered_and_in_the_contents(strategy, scorecard):
    _, html = _report_html(strategy)
    assert '<a href="#indicators">7. Performance indicators</a>' in html
    assert '<h2 id="indicators-heading">7. Performance indicators</h2>' in html
    assert '<a href="#notes">8. How the figures are worked out</a>' in html
    assert "Theme 3: Resilient solutions" in html
    assert COMMENT in html
    assert "88% for 2022/23 Q3 against a target of 95%" in html
    assert "↑ Improving" in html and "↓ Worsening" in html


def test_a_strategy_without_indicators_keeps_its_numbering(strategy, theme, plan, officer):
    ActionFactory(plan=plan, theme=theme, lead_officer=officer)
    _, html = _report_html(strategy)
    assert "Performance indicators" not in html
    assert '<a href="#notes">7. How the figures are worked out</a>' in html


def test_a_locked_quarter_rebuilds_identically(settings, strategy, scorecard, officer, administrator, theme):
    action_services.quarter_lock(quarter=Q3, user=administrator)
    report, before = _report_html(strategy)
    # Weeks later: values for the next quarter, a new indicator, a refused value for the locked one.
    settings.PORTAL_TODAY = "2023-02-06"
    patched, fcr = scorecard
    services.value_create(
        indicator=fcr,
        author=officer,
        draft=services.ValueDraft(
            period=Period.month(2023, 1), actual=D(40), commentary="Phone system outage."
        ),
        check_version=False,
    )
    with pytest.raises(Exception, match="locked"):
        services.value_create(
            indicator=patched,
            author=officer,
            draft=services.ValueDraft(period=Period.of_quarter(Q3), actual=D(99)),
            check_version=False,
        )
    IndicatorFactory(strategy=strategy, theme=theme, owner=officer, code="PI 9.9", name="Set up later")
    after = reporting.report_html(report)
    assert after == before


def test_the_board_email_mentions_the_indicators(strategy, scorecard):
    report = BoardReportFactory(strategy=strategy, period=Q3.code)
    context = {"report": report, "recipient_name": "Cllr Morris", "quarter": report.quarter}
    for kind in ("txt", "html"):
        text = render_to_string(f"emails/board_report-body.{kind}", context)
        assert "Of the 2 performance indicators with a target, 1 was green, 0 amber and 1 red" in text


def test_the_pdf_is_tagged_with_alt_text_for_the_indicator_chart(strategy, scorecard, tmp_path):
    from pdfua import Severity, validate

    from reporting.pdf import render

    _, html = _report_html(strategy)
    pdf = render(html)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.content)
    findings = validate(str(path)).findings
    assert [f"{f.rule_id}: {f.message}" for f in findings if f.severity == Severity.ERROR] == []
    reader = PdfReader(io.BytesIO(pdf.content))
    alts = []

    def walk(node):
        node = node.get_object()
        if node.get("/S") == "/Figure":
            alts.append(str(node.get("/Alt")))
        kids = node.get("/K")
        for kid in [] if kids is None else kids if isinstance(kids, list) else [kids]:
            if hasattr(kid.get_object(), "get"):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert any(alt.startswith("PI 3.1 Servers patched within 14 days: the last 3 values") for alt in alts)
    assert any("2022/23 Q3: 88%, target 95%" in alt for alt in alts)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "7. Performance indicators" in text


def test_the_panel_is_not_worked_out_again_for_an_update_to_an_action(client, councillor, officer, scorecard):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from actionplan.models import Action
    from tests.conftest import add_update

    client.force_login(councillor)
    client.get("/?year=2022")
    add_update(Action.objects.get(reference="1.1"), officer, check_version=False)
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/?year=2022").content.decode()
    assert "PI 3.1 Servers patched" in html  # the panel, from its own cache
    assert not any("indicators_indicatorvalue" in q["sql"] and "actual" in q["sql"] for q in captured)
