"""The PDF itself: tagged PDF/UA with title, language and alt text; nothing fetched from outside."""

import io
import re
from importlib.resources import files

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader
from weasyprint import HTML

from core.quarters import Quarter
from reporting import selectors, services
from reporting.factories import THEME_TITLES, BoardReportFactory, quarter_story
from reporting.pdf import (
    STATIC_SCHEME,
    USER_AGENT_STYLESHEET,
    ReportHTML,
    StaticOnlyFetcher,
    render,
    report_user_agent_css,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def source(django_db_setup, django_db_blocker):
    """One quarter's report as HTML, with the template context it came from."""
    from accounts import roles
    from accounts.factories import UserFactory
    from themes.factories import PartnerFactory, StrategyFactory

    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            strategy = StrategyFactory(title="ICT Strategy 2019-2024")
            mbc, sbc = PartnerFactory(short_name="MBC"), PartnerFactory(short_name="SBC")
            officer = UserFactory(username="pdf-officer", role=roles.OFFICER)
            colleague = UserFactory(username="pdf-colleague", role=roles.OFFICER)
            quarter_story(strategy=strategy, officer=officer, colleague=colleague, partners=[mbc, sbc])
            report = BoardReportFactory(strategy=strategy, period=20223)
            html = services.report_html(report)
            django_html = render_to_string("reporting/report.html", services.report_context(report))
            transaction.set_rollback(True)
    return html, django_html


@pytest.fixture(scope="module")
def pdf(source):
    """One real build shared by the tests below (rendering is the slow part)."""
    return render(source[0])


def test_tagged_with_title_and_language(pdf):
    reader = PdfReader(io.BytesIO(pdf.content))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert reader.metadata.title == "ICT Strategy 2019-2024: progress report 2022/23 Q3"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])


def test_every_chart_has_alternative_text(pdf):
    reader = PdfReader(io.BytesIO(pdf.content))
    figures = []

    def walk(node):
        node = node.get_object()
        if node.get("/S") == "/Figure":
            figures.append(node)
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object()
            if hasattr(kid, "get"):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert len(figures) == 3
    alts = [str(f["/Alt"]) for f in figures]
    assert alts[0].startswith("Actions by RAG rating. 9 actions: Red 3 (33%), Amber 2 (22%), Green 2 (22%)")
    assert "Theme 1: 2 actions: Red 1 (50%), Amber 0 (0%), Green 1 (50%)" in alts[1]
    assert alts[2].startswith("RAG ratings at the end of each quarter. Share of actions")


def test_pdfua_checker_finds_no_errors(pdf, tmp_path):
    from pdfua import Severity, validate

    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.content)
    report = validate(str(path))
    errors = [f"{f.rule_id}: {f.message}" for f in report.findings if f.severity == Severity.ERROR]
    assert errors == []


def test_a4_pages_numbered_with_a_contents_list(pdf):
    reader = PdfReader(io.BytesIO(pdf.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    pages = [page.extract_text() for page in reader.pages]
    assert f"Page 2 of {len(pages)}" in pages[1]
    assert "Contents" in pages[1] and "Executive summary" in pages[1]
    assert "OFFICIAL" in pages[0] and "2022/23 Q3" in pages[0] and "October to December 2022" in pages[0]
    text = " ".join(pages)
    for title in THEME_TITLES:
        assert title in text


def test_the_fetcher_reads_only_our_static_files():
    fetcher = StaticOnlyFetcher()
    assert b"@page" in fetcher("portal-static:/reporting/report.css").read()
    for url in (
        "http://example.com/x.css",
        "https://127.0.0.1/admin/",
        "file:///etc/passwd",
        "portal-static:/../../../etc/passwd",
        "portal-static:/reporting/missing.css",
    ):
        with pytest.raises(ValueError):
            fetcher(url)


def test_markup_in_commentary_cannot_fetch_anything(monkeypatch, strategy, theme, action):
    from actionplan.factories import UpdateFactory

    UpdateFactory(
        action=action,
        period=20223,
        rag="red",
        commentary='<img src="http://example.com/track.png"> See notes',
    )
    fetched = []
    original = StaticOnlyFetcher.fetch
    monkeypatch.setattr(
        StaticOnlyFetcher,
        "fetch",
        lambda self, url, headers=None: fetched.append(url) or original(self, url, headers),
    )
    report = BoardReportFactory(strategy=strategy, period=20223)
    rendered = render(services.report_html(report))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.content)).pages)
    assert '<img src="http://example.com/track.png"> See notes' in text.replace("\n", " ")
    assert not [url for url in fetched if "example.com" in url]


def test_report_with_no_plan_for_the_year_still_builds(strategy, theme):
    report = BoardReportFactory(strategy=strategy, period=Quarter(2019, 1).code)
    content = selectors.content_for(report)
    assert content.plan is None and content.summary.total == 0
    assert "There is no action plan for 2019/20 Q1" in services.report_html(report)


# --- what keeps a build's memory down changes nothing in the PDF ---------------


def test_the_report_prints_the_same_with_weasyprints_own_stylesheet(source, pdf):
    """The report's copy of WeasyPrint's user-agent stylesheet (reporting.pdf) only saves memory."""
    html, _ = source
    upstream = HTML(string=html, base_url=f"{STATIC_SCHEME}:/", url_fetcher=StaticOnlyFetcher())
    buffer = io.BytesIO()
    upstream.render().write_pdf(buffer, pdf_variant="pdf/ua-1", uncompressed_pdf=False)
    assert buffer.getvalue() == pdf.content


def test_no_user_agent_rule_styles_a_pseudo_element_of_every_element():
    upstream = (files("weasyprint.css") / "html5_ua.css").read_text("utf-8")
    assert re.findall(r"^::[a-z-]+", upstream, re.M)  # what the report's copy is there to avoid
    ours = report_user_agent_css(upstream)
    assert re.findall(r"^::[a-z-]+", ours, re.M) == []
    assert "li::marker {" in ours and ".footnote::footnote-call {" in ours


def test_weasyprint_takes_the_reports_user_agent_stylesheet(monkeypatch):
    # ReportHTML overrides an undocumented WeasyPrint hook: an upgrade that stops
    # calling it would quietly bring back ~40 MB per 300-action build.
    given = []
    original = ReportHTML._ua_stylesheets
    monkeypatch.setattr(
        ReportHTML, "_ua_stylesheets", lambda self, forms=False: given.extend(original(self, forms)) or given
    )
    render("<html lang='en-GB'><title>t</title><ul><li>One</li></ul></html>")
    assert given and given[0] is USER_AGENT_STYLESHEET


def test_a_report_footnote_keeps_its_number():
    html = (
        "<html lang='en-GB'><title>t</title><p>Budget agreed"
        "<span class='footnote' style='float: footnote'>By the board.</span> in March.</p></html>"
    )
    text = PdfReader(io.BytesIO(render(html).content)).pages[0].extract_text()
    assert "agreed1 in March" in text and "1. By the board." in text


def test_the_reports_own_template_engine_renders_as_djangos_does(source):
    """report.html is rendered by an engine with only its own tag library (reporting.services)."""
    html, django_html = source
    assert html == django_html
