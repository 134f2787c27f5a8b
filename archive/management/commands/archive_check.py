"""Recompute every archived file's checksum and report the missing and changed ones."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from archive.services import archive_verify


class Command(BaseCommand):
    help = ("Recompute the SHA-256 of every archived file and report each item whose file "
            "is missing or changed; exits with an error when any is.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = archive_verify()
        for pk in report.missing:
            self.stdout.write(f"missing: archive item {pk}")
        for pk in report.changed:
            self.stdout.write(f"changed: archive item {pk}")
        summary = (f"{report.checked} files checked, {len(report.missing)} missing, "
                   f"{len(report.changed)} changed")
        if not report.ok:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
