"""Encrypt stored files at rest, and re-encrypt them under the newest key.

Run once after upgrading a deployment whose MEDIA_ROOT holds files stored in clear (order
workbooks, e-mails, ID-card scans); run again after putting a new key first in
FIELD_ENCRYPTION_KEYS (keep the old ones after it until this has run, and
`rotate_field_keys` for the fields, then drop them). Idempotent: a file already under the
newest key is left untouched, so an interrupted run is simply run again."""

import os
from pathlib import Path
from typing import Any

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from agency.storage import PARTIAL_SUFFIX, EncryptedFileSystemStorage


class Command(BaseCommand):
    help = ("Encrypt plaintext files under MEDIA_ROOT and re-encrypt every stored file under "
            "the newest FIELD_ENCRYPTION_KEYS key.")

    def handle(self, *args: Any, **options: Any) -> None:
        storage = storages["default"]
        if not isinstance(storage, EncryptedFileSystemStorage):
            raise CommandError("STORAGES['default'] is not agency.storage."
                               "EncryptedFileSystemStorage: nothing to encrypt with.")
        root = Path(storage.location)
        counts = {"encrypted": 0, "rotated": 0, "current": 0}
        if root.is_dir():
            for folder, _dirs, files in os.walk(root):
                for filename in sorted(files):
                    path = Path(folder) / filename
                    if filename.endswith(PARTIAL_SUFFIX):  # left by an interrupted run
                        path.unlink()
                        continue
                    name = path.relative_to(root).as_posix()
                    counts[storage.reencrypt(name)] += 1
        self.stdout.write(self.style.SUCCESS(
            f"encrypted {counts['encrypted']} plaintext files, re-encrypted "
            f"{counts['rotated']} under the newest key, {counts['current']} already current"))
