"""Load city contribution policies from the data file (safe to run again)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agency.errors import DomainError
from policies.policy_file import POLICY_FILE, PolicyFileError, read_policy_file
from policies.services import policies_load


class Command(BaseCommand):
    help = (
        "Load city contribution policies from a JSON file (default: the project's own copy, "
        "policies/data/city-policies.json); reports each city and version as created, "
        "updated, unchanged or locked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(POLICY_FILE),
                            help="the policy data file (JSON); default: the shipped copy")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cities = read_policy_file(options["path"])
        except PolicyFileError as exc:
            raise CommandError(str(exc)) from exc
        try:
            report = policies_load(cities=cities)
        except DomainError as exc:
            problems = "; ".join(f"{d.field}: {d.message}" for d in exc.details)
            raise CommandError(f"{exc.message} ({problems}); nothing was loaded") from exc
        for what, key, outcome in report.lines:
            self.stdout.write(f"{what} {key}: {outcome}")
        summary = ", ".join(
            f"{report.count(o)} {o}" for o in ("created", "updated", "unchanged", "locked")
        )
        self.stdout.write(self.style.SUCCESS(f"policies loaded: {summary}"))
