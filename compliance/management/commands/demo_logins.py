"""Print the demo logins (used by `make run`)."""

from typing import Any

from django.core.management.base import BaseCommand

from agency.demo import DEMO_PASSWORD, STAFF
from agency.roles import Role
from clients.demo import CLIENTS


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        w = self.stdout.write
        w(f"\n  Demo logins (password for all: {DEMO_PASSWORD})")
        w("    staff  /staff/login/")
        for username, name, role in STAFF:
            w(f"      {username:<12} {Role(role).value:<14} {name}")
        w("    portal /portal/login/")
        for c in CLIENTS:
            w(f"      {c.login + '-hr':<12} client_admin   {c.name}")
            w(f"      {c.login + '-view':<12} client_viewer  {c.name}")
        w("")
