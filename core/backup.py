"""Back up and restore the whole portal: the database and the report files.

One archive (.tar.gz) holds:

- `database.sqlite3` (SQLite's online backup API: a consistent copy taken while
  the portal keeps running) or `database.pgdump` (pg_dump's custom format);
- `media/`: everything under MEDIA_ROOT (board report PDFs);
- `manifest.json`: when, from which engine, and how many rows each table had,
  so a restore can prove it brought every record back.

The row counts come from the same snapshot as the dump, so they match it exactly
however busy the portal is: on PostgreSQL the counts are read in a repeatable-read
transaction whose snapshot pg_dump is given (`--snapshot`); on SQLite they are
counted in the copy itself.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

FORMAT_VERSION = 1


class BackupError(Exception):
    pass


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _tables() -> list[str]:
    """Every table Django manages (history tables included) that exists."""
    existing = set(connection.introspection.table_names())
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        # A table not migrated yet has nothing to back up.
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in existing
    }
    return sorted(tables)


def row_counts() -> dict[str, int]:
    """Rows per table, for every model Django manages, in the live database."""
    with connection.cursor() as cursor:
        return _count(cursor, _tables())


def _count(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_env_and_args() -> tuple[dict, list[str]]:
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


def _dump_database(engine: str, target: Path) -> dict[str, int]:
    """Copy the database to `target`; return the row counts of exactly that copy."""
    tables = _tables()
    if engine == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
            cursor = copy.cursor()
            counts = {}
            for table in tables:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
                counts[table] = cursor.fetchone()[0]
        copy.close()
        return counts
    if connection.in_atomic_block:
        raise BackupError("A backup cannot be taken inside a transaction: its snapshot must be its own.")
    env, args = _pg_env_and_args()
    name = connection.settings_dict["NAME"]
    with transaction.atomic(), connection.cursor() as cursor:
        # The counts and pg_dump read one snapshot: held open by this transaction
        # until pg_dump has finished with it.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _count(cursor, tables)
        result = subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                *args,
                f"--file={target}",
                name,
            ],
            env=env,
            capture_output=True,
            text=True,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def create(output: Path | None = None) -> tuple[Path, dict]:
    """Write a backup archive and return its path and manifest."""
    engine = _engine()
    now = datetime.datetime.now(tz=datetime.UTC)
    if output is None:
        output = Path(settings.BASE_DIR) / "var" / "backups" / f"portal-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    output.parent.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work:
        db_file = Path(work) / ("database.sqlite3" if engine == "sqlite" else "database.pgdump")
        counts = _dump_database(engine, db_file)
        media = []
        if media_root.is_dir():
            media = sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())
        manifest = {
            "format": FORMAT_VERSION,
            "created_utc": now.isoformat(),
            "engine": engine,
            "database_file": db_file.name,
            "database_sha256": _sha256(db_file),
            "row_counts": counts,
            "media_files": media,
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(now.timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(db_file, arcname=db_file.name)
            for relative in media:
                archive.add(media_root / relative, arcname=f"media/{relative}")
        # A half-written archive must never look like a backup.
        partial.replace(output)
    return output, manifest


def read_manifest(archive_path: Path) -> dict:
    with tarfile.open(archive_path, "r:gz") as archive:
        try:
            member = archive.getmember("manifest.json")
        except KeyError as error:
            raise BackupError(f"{archive_path} is not a portal backup (no manifest.json).") from error
        return json.load(archive.extractfile(member))


def _restore_database(engine: str, db_file: Path) -> None:
    if engine == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(db_file) as source:
            source.backup(connection.connection)
        source.close()
    else:
        connection.close()
        env, args = _pg_env_and_args()
        result = subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *args,
                "--dbname",
                connection.settings_dict["NAME"],
                str(db_file),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def restore(archive_path: Path) -> dict:
    """Replace the database and the report files with the archive's; return the manifest.

    Raises BackupError (and changes nothing) if the archive is not a portal
    backup, was made on another database engine, or is damaged.
    """
    engine = _engine()
    manifest = read_manifest(archive_path)
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    if manifest["engine"] != engine:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database; the portal now uses {engine}. "
            "Restore it onto the same kind of database."
        )
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work:
        with tarfile.open(archive_path, "r:gz") as archive:
            # The "data" filter refuses absolute paths, links out of the folder and devices.
            archive.extractall(work, filter="data")
        db_file = Path(work) / manifest["database_file"]
        if _sha256(db_file) != manifest["database_sha256"]:
            raise BackupError("The database file in the backup is damaged (checksum differs).")
        _restore_database(engine, db_file)
        media = Path(work) / "media"
        if media_root.exists() and any(media_root.iterdir()):
            # Files made since the backup are kept aside, never deleted.
            stamp = datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
            media_root.rename(media_root.with_name(f"{media_root.name}.before-restore-{stamp}"))
        media_root.mkdir(parents=True, exist_ok=True)
        if media.is_dir():
            shutil.copytree(media, media_root, dirs_exist_ok=True)
    return manifest


def verify(manifest: dict) -> list[str]:
    """Tables whose row count differs from the manifest's (empty when all came back)."""
    now = row_counts()
    problems = []
    for table, expected in manifest["row_counts"].items():
        if now.get(table) != expected:
            problems.append(f"{table}: {now.get(table)} rows, backup had {expected}")
    return problems
