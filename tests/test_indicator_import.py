"""import_indicator_values and the admin's import: all rows or none, every bad row named, a dry run."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from actionplan import services as action_services
from actionplan.imports import ImportFailed
from core.quarters import Quarter
from indicators.factories import IndicatorFactory, TargetFactory
from indicators.imports import values_import
from indicators.models import IndicatorValue

D = Decimal


@pytest.fixture
def indicators(strategy, theme, officer, maidstone):
    fcr = IndicatorFactory(strategy=strategy, theme=theme, owner=officer, code="PI 4.1", frequency="monthly")
    TargetFactory(indicator=fcr, year=2022, target=D(70), tolerance=D(5))
    p1 = IndicatorFactory(
        strategy=strategy,
        theme=theme,
        owner=officer,
        code="PI 3.2",
        unit="number",
        polarity="lower",
        per_partner=True,
    )
    TargetFactory(indicator=p1, year=2022, target=D(2), tolerance=D(1))
    return fcr, p1


def _csv(*lines) -> bytes:
    return ("\n".join(lines) + "\n").encode()


GOOD = _csv(
    "Indicator code,Period,Value,Commentary,Partner",
    "PI 4.1,2022-10,71.5,,",
    "PI 4.1,November 2022,69,,",
    'PI 3.2,2022/23 Q3,5,"Three storage outages, root cause a firmware fault now patched.",MBC',
)


def test_a_good_file_records_every_row(indicators, administrator):
    result = values_import(strategy=indicators[0].strategy, data=GOOD, filename="v.csv", user=administrator)
    assert len(result.created) == 3
    assert IndicatorValue.objects.count() == 3
    assert IndicatorValue.objects.get(indicator=indicators[1]).partner.short_name == "MBC"
    again = values_import(strategy=indicators[0].strategy, data=GOOD, filename="v.csv", user=administrator)
    assert (len(again.created), len(again.unchanged)) == (0, 3)
    assert IndicatorValue.objects.count() == 3


def test_a_dry_run_stores_nothing(indicators, administrator):
    result = values_import(
        strategy=indicators[0].strategy, data=GOOD, filename="v.csv", user=administrator, dry_run=True
    )
    assert len(result.created) == 3 and "would be recorded" in result.summary()
    assert not IndicatorValue.objects.exists()


def test_every_bad_row_is_named_and_nothing_is_stored(indicators, administrator):
    bad = _csv(
        "Indicator code,Period,Value,Commentary,Partner",
        "PI 4.1,2022-10,71.5,,",  # good
        "PI 9.9,2022-10,50,,",  # no such indicator
        "PI 4.1,2022/23 Q3,50,,",  # a quarter for a monthly indicator
        "PI 4.1,2022-11,lots,,",  # not a number
        "PI 3.2,2022/23 Q3,6,,MBC",  # red without commentary
        "PI 4.1,2022-10,72,,",  # the same period twice
        "PI 3.2,2022/23 Q3,1,,XYZ",  # no such partner
    )
    with pytest.raises(ImportFailed) as caught:
        values_import(strategy=indicators[0].strategy, data=bad, filename="v.csv", user=administrator)
    described = [str(p) for p in caught.value.problems]
    assert [p.row for p in caught.value.problems] == [3, 4, 5, 6, 7, 8]
    assert 'Row 3, column "Indicator code": There is no indicator PI 9.9' in described[0]
    assert "is not a month" in described[1]
    assert '"lots" is not a number' in described[2]
    assert 'column "Commentary"' in described[3] and "what caused the red" in described[3]
    assert "is also on row 2" in described[4]
    assert "There is no partner XYZ" in described[5]
    assert not IndicatorValue.objects.exists()


def test_a_locked_quarter_refuses_the_whole_file(indicators, administrator):
    action_services.quarter_lock(quarter=Quarter(2022, 3), user=administrator)
    with pytest.raises(ImportFailed) as caught:
        values_import(strategy=indicators[0].strategy, data=GOOD, filename="v.csv", user=administrator)
    assert len(caught.value.problems) == 3 and all("locked" in p.message for p in caught.value.problems)
    assert not IndicatorValue.objects.exists()


def test_a_missing_column_is_named(indicators, administrator):
    with pytest.raises(ImportFailed, match="1 problem") as caught:
        values_import(strategy=indicators[0].strategy, data=_csv("Indicator code,Value", "PI 4.1,3"),
                      filename="v.csv", user=administrator)  # fmt: skip
    assert 'The column "Period" is missing' in str(caught.value.problems[0])


def test_an_excel_workbook_with_a_month_as_a_date(indicators, administrator):
    import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["Indicator code", "Period", "Value", "Commentary"])
    sheet.append(["PI 4.1", datetime.datetime(2022, 12, 1), 73.25, "Steady"])
    data = io.BytesIO()
    book.save(data)
    values_import(
        strategy=indicators[0].strategy, data=data.getvalue(), filename="v.xlsx", user=administrator
    )
    value = IndicatorValue.objects.get()
    assert (value.period.label, value.actual) == ("December 2022", D("73.25"))


def test_only_administrators_import(indicators, officer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        values_import(strategy=indicators[0].strategy, data=GOOD, filename="v.csv", user=officer)


def test_the_command(indicators, administrator, tmp_path, capsys):
    path = tmp_path / "values.csv"
    path.write_bytes(GOOD)
    call_command("import_indicator_values", str(path), "--dry-run")
    assert "Dry run, nothing stored: 3 values would be recorded" in capsys.readouterr().out
    assert not IndicatorValue.objects.exists()
    call_command("import_indicator_values", str(path), "--user", administrator.username)
    assert IndicatorValue.objects.count() == 3
    path.write_bytes(_csv("Indicator code,Period,Value", "PI 4.1,2022-13,5"))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_indicator_values", str(path))
    assert "Row 2" in capsys.readouterr().err


def test_the_admin_import_page(client, indicators, administrator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(administrator)
    page = client.get("/admin/indicators/indicatorvalue/import/")
    assert page.status_code == 200
    upload = SimpleUploadedFile("values.csv", GOOD, content_type="text/csv")
    response = client.post(
        "/admin/indicators/indicatorvalue/import/",
        {"strategy": indicators[0].strategy.pk, "file": upload, "dry_run": "import"},
    )
    assert response.status_code == 200, response.context["form"].errors
    assert "3 values were recorded" in response.content.decode()
    assert IndicatorValue.objects.count() == 3
