"""`manage.py backup` and `restore`: a restored portal has every record and every report file.

Runs on whichever database the suite uses: SQLite's online backup API by default,
pg_dump/pg_restore when DATABASE_URL is PostgreSQL.
"""

import io
import tarfile

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.models import User
from actionplan.factories import ActionFactory, UpdateFactory
from actionplan.models import Action, ProgressUpdate
from core import backup

pytestmark = pytest.mark.django_db(transaction=True)


def _every_row() -> dict[str, set]:
    """Every row's primary key, per table, history tables included."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            rows[model._meta.db_table] = set(model._default_manager.values_list("pk", flat=True))
    return rows


@pytest.fixture
def portal(action, colleague, settings):
    UpdateFactory(action=action, period=20222, commentary="Laptops ordered")
    UpdateFactory(action=action, period=20223, commentary="<b>Half</b> rolled out")
    ActionFactory(plan=action.plan, theme=action.theme, lead_officer=colleague, reference="2.1")
    report = settings.MEDIA_ROOT / "reports" / "2022-Q3.pdf"
    report.parent.mkdir(parents=True)
    report.write_bytes(b"%PDF-1.7 board report")
    return action


def test_round_trip_brings_back_every_record_and_report_file(portal, tmp_path, settings):
    before = _every_row()
    assert sum(len(pks) for pks in before.values()) > 20
    archive = tmp_path / "portal.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())

    # Life goes on after the backup: a new action, an edited one, a lost PDF.
    ActionFactory(plan=portal.plan, theme=portal.theme, lead_officer=portal.lead_officer, reference="9.9")
    Action.objects.filter(pk=portal.pk).update(title="Changed after the backup")
    (settings.MEDIA_ROOT / "reports" / "2022-Q3.pdf").unlink()

    out = io.StringIO()
    call_command("restore", archive, no_input=True, stdout=out)

    assert "every table's count matches" in out.getvalue()
    assert _every_row() == before
    assert Action.objects.get(pk=portal.pk).title == portal.title
    assert not Action.objects.filter(reference="9.9").exists()
    assert list(ProgressUpdate.objects.order_by("period").values_list("commentary", flat=True)) == [
        "Laptops ordered",
        "<b>Half</b> rolled out",
    ]
    assert User.objects.get(username="priya").check_password("correct horse battery staple")
    assert (settings.MEDIA_ROOT / "reports" / "2022-Q3.pdf").read_bytes() == b"%PDF-1.7 board report"


def test_manifest_records_engine_counts_and_files(portal, tmp_path):
    archive, manifest = backup.create(tmp_path / "b.tar.gz")
    assert backup.read_manifest(archive) == manifest
    assert manifest["row_counts"]["actionplan_progressupdate"] == 2
    assert manifest["row_counts"]["actionplan_action"] == 2
    assert manifest["media_files"] == ["reports/2022-Q3.pdf"]
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "media/reports/2022-Q3.pdf" in names
    assert manifest["database_file"] in names


def test_files_made_after_the_backup_are_kept_aside_not_deleted(portal, tmp_path, settings):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    (settings.MEDIA_ROOT / "reports" / "2022-Q4.pdf").write_bytes(b"newer")
    call_command("restore", archive, no_input=True, stdout=io.StringIO())
    kept = list(settings.MEDIA_ROOT.parent.glob("media.before-restore-*/reports/2022-Q4.pdf"))
    assert [p.read_bytes() for p in kept] == [b"newer"]


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(portal, tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        data = b"hello"
        info = tarfile.TarInfo("notes.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    before = _every_row()
    with pytest.raises(CommandError, match="not a portal backup"):
        call_command("restore", bogus, no_input=True)
    assert _every_row() == before


def test_a_damaged_database_file_is_refused(portal, tmp_path):
    archive, manifest = backup.create(tmp_path / "b.tar.gz")
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == manifest["database_file"]:
                data = data[:-10] + b"0123456789"
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    before = _every_row()
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", damaged, no_input=True)
    assert _every_row() == before


def test_restore_asks_before_replacing_everything(portal, tmp_path, monkeypatch):
    archive, _ = backup.create(tmp_path / "b.tar.gz")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", archive)
