"""What people type is shown as text everywhere: pages, the audit page, the report, CSV (ASVS 5.3).

One hostile commentary and title go through the real service and are read back
through every output. The CSV export must not let a spreadsheet run a cell as a
formula; the PDF builder must not fetch anything but the portal's static files.
"""

import csv
import io

import pytest

from actionplan import services
from actionplan.factories import ActionFactory
from actionplan.models import ProgressUpdate
from core.quarters import Quarter

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
FORMULAS = ['=HYPERLINK("http://evil.example","Click")', "+1+2", "-2+3", "@SUM(A1:A2)"]


@pytest.fixture
def hostile(plan, theme, officer, maidstone):
    action = ActionFactory(
        plan=plan,
        theme=theme,
        lead_officer=officer,
        reference="6.6",
        title=f"{IMG} laptops",
        partners=[maidstone],
    )
    draft = services.UpdateDraft(
        quarter=Quarter(2022, 3),
        status=ProgressUpdate.Status.IN_PROGRESS,
        rag=ProgressUpdate.Rag.AMBER,
        percent_complete=40,
        commentary=f"{SCRIPT} supplier late",
        next_steps=FORMULAS[0],
    )
    services.update_create(action=action, author=officer, draft=draft, seen_update_id=None)
    return action


def _assert_escaped(html: str):
    assert SCRIPT not in html and IMG not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("who", ["officer", "councillor"])
def test_action_page_shows_commentary_and_title_as_text(client, request, who, hostile):
    client.force_login(request.getfixturevalue(who))
    html = client.get(f"/actions/{hostile.pk}/").content.decode()
    _assert_escaped(html)
    assert "&lt;img src=x onerror=" in html


def test_action_list_and_dashboard_escape_titles(client, councillor, hostile):
    client.force_login(councillor)
    for path in ("/actions/", "/", "/actions/?q=laptops"):
        html = client.get(path).content.decode()
        assert IMG not in html, path


def test_audit_page_escapes_titles(client, administrator, hostile):
    client.force_login(administrator)
    html = client.get("/audit/", {"kind": "actionplan.action", "record": hostile.pk}).content.decode()
    assert IMG not in html and "&lt;img" in html


def test_api_returns_the_text_as_typed_in_json(client, officer, hostile):
    client.force_login(officer)
    response = client.get(f"/api/v1/actions/{hostile.pk}/updates/", HTTP_ACCEPT="application/json")
    assert response["Content-Type"].startswith("application/json")
    assert f"{SCRIPT} supplier late" in response.content.decode("unicode_escape")


def test_csv_export_neutralises_every_formula_prefix(client, councillor, plan, theme, officer):
    for n, formula in enumerate(FORMULAS):
        ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference=f"8.{n}", title=formula)
    client.force_login(councillor)
    response = client.get("/actions/export.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    cells = [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]
    for formula in FORMULAS:
        assert formula not in cells
        assert "'" + formula in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@") or (c.startswith("-") and not c[1:2].isdigit())]


def test_board_report_html_escapes_commentary(hostile, strategy, administrator):
    from reporting.models import BoardReport
    from reporting.services import report_html

    report = BoardReport.objects.create(strategy=strategy, period=20223, requested_by=administrator)
    html = report_html(report)
    assert "supplier late" in html
    _assert_escaped(html)


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example/track.png",
        "https://127.0.0.1:8000/admin/",
        "file:///etc/passwd",
        "portal-static:/../../../../etc/passwd",
        "portal-static:/no-such-file.css",
        "ftp://example.org/x",
    ],
)
def test_pdf_builder_fetches_only_the_portals_static_files(url):
    from reporting.pdf import StaticOnlyFetcher

    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch(url)


def test_pdf_builder_reads_a_real_static_file():
    from django.contrib.staticfiles import finders

    from reporting.pdf import StaticOnlyFetcher

    relative, storage = next(
        (path, storage)
        for path, storage in next(iter(finders.get_finders())).list([])
        if path.endswith((".css", ".svg", ".png"))
    )
    response = StaticOnlyFetcher().fetch(f"portal-static:/{relative}")
    # The file itself, byte for byte, with its type: the report's styles and images load.
    with storage.open(relative) as original:
        assert response.read() == original.read()
    assert response.content_type.split("/")[0] in ("text", "image")


def test_a_pdf_with_an_external_image_never_touches_the_network(monkeypatch):
    from reporting import pdf

    def no_network(*args, **kwargs):
        raise AssertionError("WeasyPrint tried to reach the network")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    rendered = pdf.render(
        '<html lang="en"><body><p>Hi</p><img src="http://evil.example/x.png" alt=""></body></html>'
    )
    assert rendered.content.startswith(b"%PDF")
