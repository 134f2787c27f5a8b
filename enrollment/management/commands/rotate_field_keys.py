"""Re-encrypt insured persons' ID numbers and hukou addresses under the newest key.

Put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), deploy, run
this command, then drop the old keys."""

from typing import Any

from django.core.management.base import BaseCommand

from enrollment.persons.services import person_rotate_keys


class Command(BaseCommand):
    help = "Re-encrypt personal data of insured persons under the newest FIELD_ENCRYPTION_KEYS key."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = person_rotate_keys()
        self.stdout.write(self.style.SUCCESS(f"re-encrypted {changed} persons"))
