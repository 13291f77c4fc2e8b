"""Security review, findings 3 and 4: a hostile workbook is refused cheaply, never with a 500."""

import datetime
import io
import re
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from actionplan.imports import MAX_COLUMNS, ImportFailed, actions_import, read_table
from actionplan.models import Action

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
DAMAGED = "This is not an Excel .xlsx workbook, or it is damaged."


def workbook_bytes(**replace_sheet) -> bytes:
    """A real one-action import workbook, with its first sheet's XML changed by `replace_sheet`."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Reference", "Theme", "Title", "Lead officer", "Partners", "Start date", "Due date"])
    sheet.append(["1.1", 1, "Renew the firewall", "priya", "MBC", datetime.date(2022, 4, 1), "2023-03-31"])
    out = io.BytesIO()
    workbook.save(out)
    if not replace_sheet:
        return out.getvalue()
    changed = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(changed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == SHEET:
                text = data.decode()
                for pattern, replacement in replace_sheet.values():
                    text = re.sub(pattern, replacement, text, count=1)
                data = text.encode()
            target.writestr(info, data)
    return changed.getvalue()


HUGE_DIMENSION = (r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>')
LAUGHS = "".join(
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' if n else '<!ENTITY lol0 "lol">' for n in range(10)
)
BILLION_LAUGHS = (r"<worksheet ", f"<!DOCTYPE worksheet [{LAUGHS}]><worksheet ")
EXTERNAL_ENTITY = (
    r"<worksheet ",
    '<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]><worksheet ',
)


def cell_using(entity: str) -> tuple[str, str]:
    return (r"</row>", f'<c r="H1" t="inlineStr"><is><t>&{entity};</t></is></c></row>')


def test_a_sheet_declaring_every_cell_is_read_with_the_column_limit():
    data = workbook_bytes(dimension=HUGE_DIMENSION)
    assert len(data) < 10_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        rows = read_table(data, "plan.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 10
    assert peak < 50 * 1024 * 1024, f"{peak / 1024 / 1024:.0f} MB"
    assert all(len(cells) <= MAX_COLUMNS for _, cells in rows)
    assert rows[1][1][:3] == ["1.1", 1, "Renew the firewall"]


def test_the_column_limit_still_imports_the_actions(plan, theme, officer, maidstone):
    result = actions_import(plan=plan, data=workbook_bytes(dimension=HUGE_DIMENSION), filename="plan.xlsx")
    assert [c.reference for c in result.created] == ["1.1"]


def test_a_csv_row_is_cut_to_the_column_limit():
    rows = read_table(("a," * 100_000 + "b\r\n").encode(), "wide.csv")
    assert len(rows[0][1]) == MAX_COLUMNS


@pytest.mark.parametrize(
    "hostile",
    [
        {"dtd": BILLION_LAUGHS, "use": cell_using("lol9")},
        {"dtd": EXTERNAL_ENTITY, "use": cell_using("x")},
        {"xml": (r"<sheetData>", "<sheetData><row r='1'><c r='A1' t='s'><v>not closed")},
        {
            "xml": (
                r"<sheetData>.*</sheetData>",
                "<sheetData><row r='1'><c r='A1' t='s'><v>99</v></c></row></sheetData>",
            )
        },
    ],
    ids=["billion-laughs", "external-entity", "broken-xml", "missing-shared-string"],
)
def test_a_damaged_or_hostile_sheet_is_refused_with_the_message(plan, hostile):
    with pytest.raises(ImportFailed) as refused:
        actions_import(plan=plan, data=workbook_bytes(**hostile), filename="plan.xlsx")
    assert [str(p) for p in refused.value.problems] == [DAMAGED]


def test_the_admin_page_says_so_instead_of_a_500(client, plan, administrator):
    client.force_login(administrator)
    upload = SimpleUploadedFile("plan.xlsx", workbook_bytes(dtd=BILLION_LAUGHS, use=cell_using("lol9")))
    response = client.post("/admin/actionplan/actionplan/import/", {"plan": plan.pk, "file": upload})
    assert response.status_code == 200
    assert DAMAGED in response.content.decode()
    assert not Action.objects.exists()
