"""Backups: the database and the stored files, with a manifest of checksums.

    backup_create(target=Path("var/backups"))   # → var/backups/20261203-101500/
    backup_restore(source=Path("var/backups/20261203-101500"))

A backup folder holds `database.dump` (PostgreSQL: `pg_dump -Fc`) or `database.sqlite3` (the
embedded default: SQLite's online backup), `media.tar` (MEDIA_ROOT as it lies on disk: the
files stay encrypted, so a backup is useless without FIELD_ENCRYPTION_KEYS, which it does not
contain) and `manifest.json` (every file's SHA-256, the database's too). A restore checks
the manifest before it touches anything, replaces the database and the files, and checks
every restored file against the manifest."""

import datetime
import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

MANIFEST = "manifest.json"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def media_checksums() -> dict[str, str]:
    """Relative path → SHA-256 of every stored file as it lies on disk."""
    root = _media_root()
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _db() -> dict[str, Any]:
    return connections["default"].settings_dict


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump / pg_restore, the password in the environment."""
    db = _db()
    args = ["-h", str(db.get("HOST") or "localhost"), "-p", str(db.get("PORT") or 5432),
            "-U", str(db.get("USER") or "postgres"), "-d", str(db["NAME"])]
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "PGPASSWORD": str(db.get("PASSWORD") or "")}
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0], path=env["PATH"]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian package postgresql-client)")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:2000]}")


def backup_create(*, target: Path, now: datetime.datetime | None = None) -> Path:
    """Write a new backup folder under `target` and return it."""
    now = now or datetime.datetime.now(datetime.UTC)
    folder = target / now.strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=False)
    vendor = connections["default"].vendor
    if vendor == "postgresql":
        database = folder / "database.dump"
        args, env = _pg_env()
        _run(["pg_dump", "-Fc", "--no-owner", "-f", str(database), *args], env)
    elif vendor == "sqlite":
        database = folder / "database.sqlite3"
        source = sqlite3.connect(str(_db()["NAME"]))
        try:
            copy = sqlite3.connect(str(database))
            with copy:
                source.backup(copy)
            copy.close()
        finally:
            source.close()
    else:
        raise BackupError(f"no backup for the {vendor} database")
    files = media_checksums()
    with tarfile.open(folder / "media.tar", "w") as tar:
        for name in files:
            tar.add(_media_root() / name, arcname=name)
    manifest = {"created_at": now.isoformat(), "vendor": vendor, "database": database.name,
                "database_sha256": _sha256(database), "media": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True),
                                   encoding="utf-8")
    return folder


def _manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} has no readable {MANIFEST}") from exc
    database = source / manifest["database"]
    if not database.exists() or _sha256(database) != manifest["database_sha256"]:
        raise BackupError(f"{database} is missing or does not match its checksum")
    if manifest["vendor"] != connections["default"].vendor:
        raise BackupError(f"the backup is of a {manifest['vendor']} database, this is "
                          f"{connections['default'].vendor}")
    return manifest


def backup_restore(*, source: Path) -> dict[str, str]:
    """Replace the database and the stored files with the backup in `source`. Returns the
    restored files' checksums (each checked against the manifest)."""
    manifest = _manifest(source)
    database = source / manifest["database"]
    connections.close_all()
    if manifest["vendor"] == "postgresql":
        args, env = _pg_env()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              *args, str(database)], env)
    else:
        shutil.copyfile(database, str(_db()["NAME"]))
    root = _media_root()
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    with tarfile.open(source / "media.tar") as tar:
        tar.extractall(root, filter="data")
    restored = media_checksums()
    if restored != manifest["media"]:
        bad = sorted(set(restored.items()) ^ set(manifest["media"].items()))
        raise BackupError(f"restored files differ from the manifest: {bad[:5]}")
    return restored
