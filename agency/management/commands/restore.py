"""`manage.py restore DIR --yes`: replace the database and the stored files with a backup."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agency.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup folder written by `manage.py backup` (replaces everything)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="the backup folder")
        parser.add_argument("--yes", action="store_true",
                            help="confirm that the current database and files are replaced")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("restore replaces the database and every stored file: "
                               "add --yes to confirm")
        try:
            files = backup_restore(source=Path(options["source"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored the database and {len(files)} files from "
                          f"{options['source']}")
