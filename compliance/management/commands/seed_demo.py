"""Deterministic, idempotent demo data across every app, lowest layer first."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agency import demo as agency_demo
from billing import demo as billing_demo
from clients import demo as clients_demo
from compliance import demo as compliance_demo
from enrollment import demo as enrollment_demo
from enrollment import demo_cases
from policies import demo as policies_demo


class Command(BaseCommand):
    help = "Load deterministic demo data (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        # demo users have published passwords: never in a production database
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "seed_demo refused: demo users have published passwords. It runs only "
                "where DJANGO_DEBUG is on (the local `make run`), or with DJANGO_ALLOW_DEMO=true."
            )
        with transaction.atomic():
            agency_demo.seed()
            policies_demo.seed()
            clients_demo.seed()
            enrollment_demo.seed()
            enrollment_demo.seed_orders()
            demo_cases.seed()
            billing_demo.seed()
            clients_demo.seed_archive()
            compliance_demo.seed()
        self.stdout.write(self.style.SUCCESS("demo data ready"))
