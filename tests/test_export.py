"""Exporting a plan's actions: the import's columns, so an export re-imports cleanly."""

import csv
import io

import pytest
from openpyxl import load_workbook

from actionplan import exports
from actionplan.factories import ActionFactory, UpdateFactory
from actionplan.imports import actions_import
from actionplan.models import Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(plan, theme, officer, colleague, maidstone, swale):
    awkward = ActionFactory(
        plan=plan,
        theme=theme,
        reference="1.1",
        lead_officer=officer,
        partners=[swale, maidstone],
        title='=HYPERLINK("http://evil.example","Click")',
        description='-10% spend; +5 sites; @risk, "quoted"\nsecond line, Tunbridge Wells’ café',
        priority="high",
    )
    UpdateFactory(action=awkward, rag="amber", commentary="=1+1 supplier late", percent_complete=40)
    ActionFactory(plan=plan, theme=theme, reference="1.2", lead_officer=colleague, partners=[swale])
    return plan


def snapshot():
    return [
        (
            a.reference,
            a.theme_id,
            a.title,
            a.description,
            a.lead_officer_id,
            a.start_date,
            a.due_date,
            a.priority,
            sorted(p.pk for p in a.partners.all()),
        )
        for a in Action.objects.order_by("reference")
    ]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_reimports_with_no_change(exported, kind):
    before = snapshot()
    data = exports.export_csv(exported) if kind == "csv" else exports.export_xlsx(exported)

    result = actions_import(plan=exported, data=data, filename=f"export.{kind}")

    assert (len(result.created), len(result.updated), len(result.unchanged)) == (0, 0, 2)
    assert result.ignored_columns == []
    assert snapshot() == before


def test_csv_cells_that_would_run_as_formulas_are_neutralised(exported):
    rows = list(csv.reader(io.StringIO(exports.export_csv(exported).decode("utf-8-sig"))))
    header, first = rows[0], rows[1]
    cell = dict(zip(header, first, strict=True))
    assert cell["Title"].startswith("'=HYPERLINK")
    assert cell["Description"].startswith("'-10%")
    assert cell["Commentary"] == "'=1+1 supplier late"
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row)


def test_the_export_carries_current_state(exported):
    rows = list(csv.reader(io.StringIO(exports.export_csv(exported).decode("utf-8-sig"))))
    cell = dict(zip(rows[0], rows[1], strict=True))
    assert cell["Partners"] == "MBC; SBC"
    assert cell["Priority"] == "High"
    assert (cell["Status"], cell["RAG"], cell["% complete"]) == ("In progress", "Amber", "40")
    assert cell["Last update"] == "2022/23 Q3"
    second = dict(zip(rows[0], rows[2], strict=True))
    assert (second["Status"], second["RAG"]) == ("Not started", "Not yet reported")


def test_the_excel_export_keeps_text_as_text_and_dates_as_dates(exported):
    sheet = load_workbook(io.BytesIO(exports.export_xlsx(exported))).active
    header = [c.value for c in sheet[1]]
    first = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert first["Title"].data_type == "s"
    assert first["Start date"].is_date
    assert first["Reference"].value == "1.1"


def test_administrators_download_exports_from_the_admin(client, exported, administrator, officer):
    client.force_login(administrator)
    response = client.get(f"/admin/actionplan/actionplan/{exported.pk}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="actions-2022-23.xlsx"'
    assert "export.csv" in client.get("/admin/actionplan/actionplan/").content.decode()
    officer.is_staff = True
    officer.save()
    client.force_login(officer)
    assert client.get(f"/admin/actionplan/actionplan/{exported.pk}/export.csv").status_code == 403
