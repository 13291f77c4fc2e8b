"""Importing risks from CSV or Excel (all rows or none) and exporting the register."""

import csv
import io

import pytest
from openpyxl import load_workbook

from actionplan.imports import ImportFailed
from risks import transfer
from risks.factories import ReviewFactory, RiskFactory
from risks.models import Risk
from tests.conftest import Q3

HEADER = ("Reference,Theme,Title,Cause,Event,Consequence,Owner,Existing controls,Appetite,Review frequency,"
          "Inherent likelihood,Inherent impact,Target likelihood,Target impact,Identified on")  # fmt: skip


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


GOOD = (
    "R1,1,Ransomware attack,Phishing,Systems encrypted,Services stop,priya,Backups,8,Every quarter,4,5,2,4,"
    "01/04/2019"
)


def test_an_import_creates_risks_and_a_second_changes_nothing(strategy, theme, officer, administrator):
    result = transfer.risks_import(strategy=strategy, data=_csv(GOOD), filename="r.csv", user=administrator)
    risk = Risk.objects.get()
    assert (risk.reference, risk.owner, risk.inherent_score, risk.appetite) == ("R1", officer, 20, 8)
    assert result.created == [(2, "R1")]
    again = transfer.risks_import(strategy=strategy, data=_csv(GOOD), filename="r.csv", user=administrator)
    assert again.unchanged == [(2, "R1")] and not again.updated


def test_a_bad_file_changes_nothing_and_names_every_bad_row(strategy, theme, officer, administrator):
    bad = "R2,9,Data centre,Fire,Loss,Outage,nobody,,30,weekly,6,Huge,1,1,"
    with pytest.raises(ImportFailed) as raised:
        transfer.risks_import(strategy=strategy, data=_csv(GOOD, bad), filename="r.csv", user=administrator)
    found = {(p.row, p.column) for p in raised.value.problems}
    assert {(3, "Theme"), (3, "Owner"), (3, "Appetite"), (3, "Review frequency"), (3, "Inherent likelihood"),
            (3, "Inherent impact")} <= found  # fmt: skip
    assert not Risk.objects.exists()


def test_levels_may_be_named(strategy, theme, officer, administrator):
    row = GOOD.replace(",4,5,2,4,", ",Likely,Catastrophic,Unlikely,Major,")
    transfer.risks_import(strategy=strategy, data=_csv(row), filename="r.csv", user=administrator)
    assert Risk.objects.get().target_score == 8


def test_the_export_reimports_and_carries_the_current_score(strategy, theme, officer, administrator):
    risk = RiskFactory(
        strategy=strategy, theme=theme, owner=officer, reference="R1", title="=cmd|' /C calc'!A0"
    )
    ReviewFactory(risk=risk, period=Q3.code, likelihood=3, impact=3, commentary="Steady")
    rows = list(csv.reader(io.StringIO(transfer.export_csv(strategy).decode("utf-8-sig"))))
    assert rows[0] == transfer.HEADER_ROW
    assert rows[1][2].startswith("'=")  # never run as a formula
    assert rows[1][15:19] == ["3", "3", "9", "Medium"]
    result = transfer.risks_import(
        strategy=strategy, data=transfer.export_csv(strategy), filename="r.csv", user=administrator
    )
    assert result.unchanged == [(2, "R1")]
    sheet = load_workbook(io.BytesIO(transfer.export_xlsx(strategy))).active
    assert sheet["C2"].value == "=cmd|' /C calc'!A0" and sheet["C2"].data_type == "s"


def test_only_administrators_import(strategy, officer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        transfer.risks_import(strategy=strategy, data=_csv(GOOD), filename="r.csv", user=officer)


def test_the_admin_pages_import_and_export(client, strategy, theme, officer, administrator):
    RiskFactory(strategy=strategy, theme=theme, owner=officer)
    client.force_login(administrator)
    assert client.get("/admin/risks/risk/").status_code == 200
    assert client.get("/admin/risks/risk/import/").status_code == 200
    upload = io.BytesIO(_csv(GOOD))
    upload.name = "risks.csv"
    page = client.post(
        "/admin/risks/risk/import/", {"strategy": strategy.pk, "file": upload, "dry_run": "on"}
    )
    assert "Checked, nothing stored yet" in page.content.decode()
    export = client.get(f"/admin/risks/risk/export/{strategy.pk}.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
