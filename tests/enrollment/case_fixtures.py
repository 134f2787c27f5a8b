"""Shared set-up of the insurance-case tests: a client with its representative and
contact address, an enrolled person, fixed instants (Asia/Shanghai)."""

import datetime
from zoneinfo import ZoneInfo

from agency.roles import Role
from clients.models import WebhookEndpoint
from enrollment.cases.services import CaseChannel, case_open
from tests.enrollment.factories_person import enrolled_person
from tests.factories import UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENED = datetime.datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)


def served(client, *, email: str = "hr@client.cn"):
    """Give the client a representative and a contact address; returns the rep."""
    rep = UserFactory(role=Role.SERVICE_REP)
    client.service_rep = rep
    client.contact_email = email
    client.save()
    return rep


def webhook(client) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(client=client, url="https://hooks.example.com/in",
                                          secret="s3cret")


def open_case(client, person=None, *, type="other", actor=None, now=OPENED, **kw):
    person = person or enrolled_person(client)
    return case_open(client=client, person=person, type=type, channel=CaseChannel.STAFF,
                     actor=actor, now=now, **kw)
