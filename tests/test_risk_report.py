"""The risk register in the dashboard (a panel) and the board report (a "Risks" section):
the same register as at the quarter, and a locked quarter's never changes."""

import io

import pytest
from django.core.exceptions import ValidationError

from accounts import roles
from accounts.factories import UserFactory
from actionplan import services as action_services
from actionplan.factories import UpdateFactory
from core.quarters import Quarter
from reporting import selectors as report_selectors
from reporting import services as reporting_services
from reporting.factories import BoardReportFactory
from risks import selectors, services, sign_off
from risks.factories import ReviewFactory, RiskFactory
from tests.conftest import Q3, at

Q2 = Quarter(2022, 2)


@pytest.fixture
def risks(strategy, theme, officer):
    ransomware = RiskFactory(
        strategy=strategy, theme=theme, owner=officer, reference="R1", title="Ransomware", appetite=8
    )
    supplier = RiskFactory(
        strategy=strategy, theme=theme, owner=officer, reference="R2", title="Supplier fails", appetite=12
    )
    ReviewFactory(risk=ransomware, period=Q2.code, likelihood=3, impact=4, created_at=at(2022, 9, 1))
    ReviewFactory(risk=ransomware, period=Q3.code, likelihood=4, impact=5, controls="EDR on every laptop",
                  commentary="Two councils nearby were hit.", created_at=at(2022, 12, 1))  # fmt: skip
    ReviewFactory(risk=supplier, period=Q2.code, likelihood=2, impact=3, created_at=at(2022, 9, 1))
    ReviewFactory(risk=supplier, period=Q3.code, likelihood=3, impact=3, commentary="Accounts filed late.",
                  created_at=at(2022, 12, 1))  # fmt: skip
    return ransomware, supplier


def test_the_report_section_lists_the_heat_map_and_the_high_and_risen_risks(strategy, risks, plan, fast_pdf):
    report = BoardReportFactory(strategy=strategy, period=Q3.code)
    section = report_selectors.content_for(report).sections["risks"]
    assert [r.risk.reference for r in section.high] == ["R1"]
    assert [r.risk.reference for r in section.risen] == ["R2"]  # R1 rose too, but is listed as high
    assert "likelihood 4 by impact 5 (score 20, high): 1" in section.heat_map.alt
    html = reporting_services.report_html(report)
    assert "7. Strategic risks" in html and '<a href="#risks">7. Strategic risks</a>' in html
    assert "8. How the figures are worked out" in html
    assert "EDR on every laptop" in html and "Two councils nearby were hit." in html


def test_a_strategy_without_risks_has_no_section(strategy, plan, fast_pdf):
    report = BoardReportFactory(strategy=strategy, period=Q3.code)
    assert report_selectors.content_for(report).sections["risks"] is None
    assert "7. How the figures are worked out" in reporting_services.report_html(report)


def test_a_locked_quarters_register_never_changes_and_its_report_rebuilds_identically(
    strategy, risks, plan, officer, administrator, theme, fast_pdf
):
    ransomware, supplier = risks
    strategy.updates_need_sign_off = True
    strategy.save()
    waiting = services.review_create(
        risk=supplier, author=officer, check_version=False,
        draft=services.ReviewDraft(quarter=Q3, likelihood=1, impact=1, control_effectiveness="effective",
                                   controls="New supplier contracted"),
    )  # fmt: skip
    action_services.quarter_lock(quarter=Q3, user=administrator)
    report = BoardReportFactory(strategy=strategy, period=Q3.code)
    before_html = reporting_services.report_html(report)
    before = [
        (r.risk.reference, r.score, r.movement.key) for r in selectors.register(strategy, quarter=Q3).rows
    ]
    # Everything that could change it is refused or lands after the quarter.
    with pytest.raises(ValidationError):
        services.review_create(
            risk=ransomware, author=officer, check_version=False,
            draft=services.ReviewDraft(quarter=Q3, likelihood=1, impact=1, control_effectiveness="effective",
                                       controls="x", commentary="x"),
        )  # fmt: skip
    approver = UserFactory(username="manager", role=roles.APPROVER)
    theme.approvers.add(approver)
    with pytest.raises(ValidationError):
        sign_off.review_decide(user=approver, reviews=[waiting], decision="approved")
    sign_off.review_decide(user=approver, reviews=[waiting], decision="returned", reason="Too late for Q3.")
    services.review_create(
        risk=ransomware, author=officer, check_version=False,
        draft=services.ReviewDraft(quarter=Quarter(2022, 4), likelihood=2, impact=2,
                                   control_effectiveness="effective", controls="Patched"),
    )  # fmt: skip
    ReviewFactory(risk=ransomware, period=Quarter(2022, 4).code, likelihood=5, impact=5, commentary="x")
    RiskFactory(strategy=strategy, theme=theme, reference="R3", identified_on=Quarter(2022, 4).first_day)
    after = [
        (r.risk.reference, r.score, r.movement.key) for r in selectors.register(strategy, quarter=Q3).rows
    ]
    assert after == before == [("R1", 20, "up"), ("R2", 9, "up")]
    assert reporting_services.report_html(report) == before_html


def test_the_dashboard_panel_counts_high_outside_appetite_and_risen(client, councillor, risks, plan, action):
    UpdateFactory(action=action, period=Q3.code)
    client.force_login(councillor)
    html = client.get("/?as_at=20223").content.decode()
    assert 'id="risks-panel"' in html
    assert "<strong>1</strong> high risk</a>" in html
    assert "<strong>1</strong> outside appetite</a>" in html
    assert "<strong>2</strong> risen since the quarter before</a>" in html


def test_a_new_review_changes_the_cached_dashboard(client, councillor, risks, plan, action, officer):
    UpdateFactory(action=action, period=Q3.code)
    client.force_login(councillor)
    assert "<strong>1</strong> high risk</a>" in client.get("/").content.decode()
    ReviewFactory(risk=risks[1], period=Q3.code, likelihood=5, impact=5, commentary="A correction.")
    assert "<strong>2</strong> high risks</a>" in client.get("/").content.decode()


@pytest.fixture(scope="module")
def risk_pdf(django_db_setup, django_db_blocker):
    """A real build of a report with the risks section (rendering is the slow part)."""
    from django.db import transaction

    from reporting.factories import quarter_story
    from reporting.pdf import render
    from themes.factories import PartnerFactory, StrategyFactory

    with django_db_blocker.unblock(), transaction.atomic():
        strategy = StrategyFactory(title="ICT Strategy 2019-2024")
        owner = UserFactory(username="pdf-risk-owner", role=roles.OFFICER)
        stories = quarter_story(strategy=strategy, officer=owner, colleague=UserFactory(role=roles.OFFICER),
                                partners=[PartnerFactory(short_name="MBC")])  # fmt: skip
        theme = next(iter(stories.values())).theme
        for n, (lk, im) in enumerate([(4, 5), (3, 3), (2, 2), (5, 4)], start=1):
            risk = RiskFactory(strategy=strategy, theme=theme, owner=owner, reference=f"R{n}", appetite=10)
            ReviewFactory(risk=risk, period=Q2.code, likelihood=max(1, lk - 1), impact=im)
            ReviewFactory(
                risk=risk, period=Q3.code, likelihood=lk, impact=im, commentary="Reviewed at board."
            )
        report = BoardReportFactory(strategy=strategy, period=Q3.code)
        pdf = render(reporting_services.report_html(report))
        transaction.set_rollback(True)
    return pdf


@pytest.mark.django_db
def test_the_risk_pages_pass_the_pdfua_checker_with_alt_text(risk_pdf, tmp_path):
    from pdfua import Severity, validate
    from pypdf import PdfReader

    path = tmp_path / "report.pdf"
    path.write_bytes(risk_pdf.content)
    errors = [
        f"{f.rule_id}: {f.message}" for f in validate(str(path)).findings if f.severity == Severity.ERROR
    ]
    assert errors == []
    reader = PdfReader(io.BytesIO(risk_pdf.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Strategic risks" in text and "High risks" in text
    figures = []

    def walk(node):
        node = node.get_object()
        if node.get("/S") == "/Figure":
            figures.append(str(node.get("/Alt")))
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, list) else [kids]) if kids is not None else []:
            kid = kid.get_object()
            if hasattr(kid, "get"):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert any(
        alt.startswith("Heat map of current risk scores at the end of 2022/23 Q3. 4 risks") for alt in figures
    )
