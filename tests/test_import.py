"""Importing a plan's actions from CSV and Excel: all rows or none."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from actionplan.factories import ActionFactory
from actionplan.imports import ImportFailed, actions_import
from actionplan.models import Action
from themes.factories import ThemeFactory

pytestmark = pytest.mark.django_db

HEADER = "Reference,Theme,Title,Description,Lead officer,Partners,Start date,Due date,Priority"
GOOD = f"""{HEADER}
1.1,1,Move file shares to OneDrive,Teams first,priya,MBC; SBC,01/04/2022,30/09/2022,High
1.2,1,Roll out Teams phones,,priya@council.example.org,Swale Borough Council,2022-04-01,2023-03-31,
3.1,3,Renew the firewall,,gareth,"SBC, MBC",1 April 2022,31 March 2023,low
"""


@pytest.fixture
def themes(strategy, theme):
    return [theme, ThemeFactory(strategy=strategy, number=3, title="Resilient solutions")]


@pytest.fixture
def ready(plan, themes, officer, colleague, maidstone, swale):
    return plan


def run(plan, text, name="actions.csv", **kwargs):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return actions_import(plan=plan, data=data, filename=name, **kwargs)


def problems_of(plan, text, name="actions.csv"):
    with pytest.raises(ImportFailed) as failed:
        run(plan, text, name)
    return [(p.row, p.column, p.message) for p in failed.value.problems]


def test_a_good_file_creates_every_action(ready):
    result = run(ready, GOOD)

    assert (len(result.created), len(result.updated), len(result.unchanged)) == (3, 0, 0)
    teams = Action.objects.get(plan=ready, reference="1.2")
    assert teams.lead_officer.username == "priya"
    assert [p.short_name for p in teams.partners.all()] == ["SBC"]
    assert teams.priority == "medium"  # empty means medium
    firewall = Action.objects.get(reference="3.1")
    assert (firewall.theme.number, firewall.priority) == (3, "low")
    assert (firewall.start_date, firewall.due_date) == (datetime.date(2022, 4, 1), datetime.date(2023, 3, 31))
    assert sorted(p.short_name for p in firewall.partners.all()) == ["MBC", "SBC"]


def test_several_bad_rows_store_nothing_and_each_is_named(ready):
    text = f"""{HEADER}
1.1,1,Fine row,,priya,MBC,01/04/2022,30/09/2022,High
1.2,9,Unknown theme,,priya,MBC,01/04/2022,30/09/2022,
1.3,1,Unknown officer,,nobody,MBC,01/04/2022,30/09/2022,
1.4,1,Unknown partner,,priya,Kent County Council,01/04/2022,30/09/2022,
1.5,1,Bad date,,priya,MBC,31/02/2022,30/09/2022,
1.1,1,Duplicate reference,,priya,MBC,01/04/2022,30/09/2022,
1.6,1,Due before start,,priya,MBC,01/04/2022,01/03/2022,Urgent
1.7,1,,,priya,MBC,01/04/2022,30/09/2022,
"""
    problems = problems_of(ready, text)

    assert not Action.objects.exists()
    named = {(row, column) for row, column, _ in problems}
    assert named == {
        (3, "Theme"),
        (4, "Lead officer"),
        (5, "Partners"),
        (6, "Start date"),
        (7, "Reference"),
        (8, "Due date"),
        (8, "Priority"),
        (9, "Title"),
    }
    messages = dict(((row, column), message) for row, column, message in problems)
    assert '"9"' in messages[(3, "Theme")]
    assert "nobody" in messages[(4, "Lead officer")]
    assert "Kent County Council" in messages[(5, "Partners")]
    assert "also on row 2" in messages[(7, "Reference")]


def test_reimporting_the_same_file_changes_nothing(ready):
    run(ready, GOOD)
    before = list(Action.objects.values().order_by("pk"))
    history = Action.history.count()

    result = run(ready, GOOD)

    assert (len(result.created), len(result.updated), len(result.unchanged)) == (0, 0, 3)
    assert list(Action.objects.values().order_by("pk")) == before
    assert Action.history.count() == history


def test_a_changed_row_updates_only_that_action(ready):
    run(ready, GOOD)
    changed = GOOD.replace("Renew the firewall", "Renew the firewalls").replace("gareth", "priya")
    result = run(ready, changed)
    assert [(c.reference, c.fields) for c in result.updated] == [("3.1", ["Title", "Lead officer"])]
    assert len(result.unchanged) == 2
    assert Action.objects.get(reference="3.1").title == "Renew the firewalls"


def test_a_dry_run_shows_changes_and_stores_nothing(ready):
    result = run(ready, GOOD, dry_run=True)
    assert [c.reference for c in result.created] == ["1.1", "1.2", "3.1"]
    assert "would be created" in result.summary()
    assert not Action.objects.exists()


def test_odd_but_valid_spreadsheet(ready, officer):
    """Blank lines, trailing spaces, Excel date cells, numbers as floats, accents."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([])
    sheet.append(
        ["  Reference ", "THEME", "Title", "Description", "lead_officer", "Partners", "Start", "Due"]
    )
    sheet.append(
        [
            "1.1 ",
            1.0,
            "Café Wi-Fi for Tonbridge’s hubs  ",
            "Naïve façade",
            " PRIYA ",
            " mbc ;  ",
            datetime.datetime(2022, 4, 1),
            datetime.date(2023, 3, 31),
        ]
    )
    sheet.append([None, None, None])
    sheet.append(["", "", "", "", "", "", "", ""])
    sheet.append(
        [
            "2",
            3,
            "Résilience",
            None,
            officer.email.upper(),
            "Swale Borough Council",
            "2022-05-01",
            datetime.datetime(2022, 12, 31, 0, 0),
        ]
    )
    out = io.BytesIO()
    workbook.save(out)

    result = run(ready, out.getvalue(), name="Plan 2022.XLSX")

    assert len(result.created) == 2
    cafe = Action.objects.get(reference="1.1")
    assert cafe.title == "Café Wi-Fi for Tonbridge’s hubs"
    assert cafe.description == "Naïve façade"
    assert cafe.start_date == datetime.date(2022, 4, 1)
    assert [p.short_name for p in cafe.partners.all()] == ["MBC"]
    second = Action.objects.get(reference="2")
    assert second.due_date == datetime.date(2022, 12, 31)
    assert second.theme.number == 3
    # The row numbers of problems match the spreadsheet, blank lines included.
    sheet.append(["9.9", 7, "No such theme", None, "priya", "MBC", "2022-05-01", "2022-06-01"])
    out = io.BytesIO()
    workbook.save(out)
    assert problems_of(ready, out.getvalue(), "plan.xlsx")[0][:2] == (7, "Theme")


def test_csv_from_excel_with_bom_semicolons_and_windows_1252(ready):
    text = GOOD.replace(",", ";").replace("; SBC", ", SBC").replace('"SBC; MBC"', '"SBC, MBC"')
    text = text.replace("Teams first", "Café")
    run(ready, text.encode("cp1252"))
    assert Action.objects.get(reference="1.1").description == "Café"


@pytest.mark.parametrize(
    "name,data,words",
    [
        ("actions.xls", b"\xd0\xcf\x11\xe0", "xlsx"),
        ("actions.pdf", b"%PDF-1.7", ".csv or .xlsx"),
        ("actions.xlsx", b"not a zip at all", "not an Excel"),
        ("actions.csv", b"PK\x03\x04\x00\x00binary", "not a CSV"),
        ("actions.csv", b"", "empty"),
        ("actions.csv", b"Reference,Title\n1.1,Only two columns\n", 'column "Theme" is missing'),
    ],
)
def test_files_of_the_wrong_kind_are_refused(ready, name, data, words):
    problems = problems_of(ready, data, name)
    assert words in " ".join(message for *_, message in problems)
    assert not Action.objects.exists()


def test_a_file_too_large_is_refused(ready, settings):
    data = (GOOD + ("x" * 1000 + "\n") * 6000).encode()
    assert "larger than" in problems_of(ready, data)[0][2]


def test_a_lead_without_the_officer_role_is_refused(ready, councillor):
    text = GOOD.replace("gareth", "cllr-morris")
    [(row, column, message)] = problems_of(ready, text)
    assert (row, column) == (4, "Lead officer")
    assert message.startswith(f"{councillor.display_name} is not an officer")


def test_only_administrators_import(ready, officer, administrator):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run(ready, GOOD, user=officer)
    run(ready, GOOD, user=administrator)
    assert Action.history.filter(history_user=administrator).count() == 3


def test_existing_actions_are_matched_on_reference(ready, themes, officer, maidstone):
    existing = ActionFactory(
        plan=ready,
        theme=themes[0],
        reference="1.1",
        lead_officer=officer,
        partners=[maidstone],
        title="Old title",
    )
    run(ready, GOOD)
    existing.refresh_from_db()
    assert existing.title == "Move file shares to OneDrive"
    assert Action.objects.count() == 3


# --- the command ---------------------------------------------------------------


def test_the_command_imports_a_file(ready, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()
    call_command("import_actions", str(path), "--year", "2022", "--dry-run", stdout=out)
    assert "3 actions would be created" in out.getvalue()
    assert not Action.objects.exists()

    call_command("import_actions", str(path), "--year", "2022", stdout=out)
    assert Action.objects.count() == 3


def test_the_command_lists_every_problem_and_fails(ready, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(GOOD.replace("priya,MBC", "nobody,MBC").replace("gareth", "ghost"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_actions", str(path), "--year", "2022", stderr=err)
    assert 'Row 2, column "Lead officer"' in err.getvalue()
    assert 'Row 4, column "Lead officer"' in err.getvalue()
    assert not Action.objects.exists()


def test_the_command_needs_a_plan_for_the_year(ready, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(CommandError, match="2030/31"):
        call_command("import_actions", str(path), "--year", "2030")


# --- the admin page --------------------------------------------------------------


def test_the_admin_page_checks_then_imports(client, ready, administrator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(administrator)
    url = "/admin/actionplan/actionplan/import/"
    assert client.get(url).status_code == 200

    upload = SimpleUploadedFile("plan.csv", GOOD.encode(), content_type="text/csv")
    response = client.post(url, {"plan": ready.pk, "file": upload, "dry_run": "on"})
    assert "3 actions would be created" in response.content.decode()
    assert not Action.objects.exists()

    upload = SimpleUploadedFile("plan.csv", GOOD.replace("gareth", "ghost").encode(), content_type="text/csv")
    response = client.post(url, {"plan": ready.pk, "file": upload})
    assert "Nothing was imported" in response.content.decode()
    assert "ghost" in response.content.decode()

    upload = SimpleUploadedFile("plan.csv", GOOD.encode(), content_type="text/csv")
    response = client.post(url, {"plan": ready.pk, "file": upload})
    assert "3 actions were created" in response.content.decode()
    assert Action.objects.count() == 3


def test_the_admin_template_downloads(client, ready, administrator):
    client.force_login(administrator)
    csv_template = client.get("/admin/actionplan/actionplan/import/template.csv")
    assert csv_template.content.decode("utf-8-sig").strip() == HEADER
    xlsx = client.get("/admin/actionplan/actionplan/import/template.xlsx")
    assert xlsx["Content-Disposition"] == 'attachment; filename="action-import-template.xlsx"'
    # The empty template is read, and found to have no actions yet.
    assert "no actions" in problems_of(ready, xlsx.content, "template.xlsx")[0][2]


@pytest.mark.parametrize("who", ["officer", "councillor"])
def test_others_cannot_reach_the_import_page(request, client, ready, who):
    user = request.getfixturevalue(who)
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert client.get("/admin/actionplan/actionplan/import/").status_code == 403


def test_an_officer_without_staff_is_sent_to_the_admin_sign_in(client, ready, officer):
    client.force_login(officer)
    assert client.get("/admin/actionplan/actionplan/import/").status_code == 302
