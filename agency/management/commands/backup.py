"""`manage.py backup [--to DIR]`: the database and the stored files, with checksums."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agency.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and the stored files (MEDIA_ROOT) into a new folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", default=str(Path(settings.BASE_DIR) / "var" / "backups"),
                            help="folder that receives the new backup folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            folder = backup_create(target=Path(options["to"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(folder))
