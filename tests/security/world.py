"""The data the isolation matrix and the API fuzzing work on: a client holding one object
of each kind a URL can name, made through the services (as the other tests make them).

`build_client_data()` makes one client's set; `build_world()` two of them (the caller's
own client and another one), the staff users of every role and the agency's own objects
(licences, policies, the archive's batches)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.roles import Role
from agency.services import notification_create
from clients.models import Contract, WebhookEndpoint
from compliance.service_desk import complaint_open, inquiry_open
from enrollment.cases.services import CaseChannel, case_open
from enrollment.demo import DEMO_PDF
from enrollment.persons.paper_services import paper_upload
from policies.models import City
from tests.clients.factories import ContractFactory, ContractPriceFactory, VerifiedClientFactory
from tests.enrollment.factories_person import enrolled_person
from tests.factories import CityFactory, UserFactory, make_id_number

STAFF = (Role.ADMIN, Role.MANAGER, Role.SERVICE_REP, Role.FINANCE, Role.ARCHIVIST)


@dataclass
class ClientData:
    """One client and one object of each kind its users, key and staff can reach."""

    client: Any
    contract: Any
    person: Any
    paper: Any
    case: Any
    inquiry: Any
    complaint: Any
    webhook: Any
    users: dict[str, Any] = field(default_factory=dict)  # client_admin, client_viewer
    notification: Any = None
    objects: dict[str, Any] = field(default_factory=dict)  # further kinds, by name


def _city() -> City:
    return CityFactory(code="310000", name="上海市", order_cutoff_day=15)


def build_client_data(*, rep: Any = None) -> ClientData:
    """A verified client with an active contract in Shanghai, an enrolled person with a
    paper, a case, an inquiry, a complaint, a webhook and its two portal users."""
    city = _city()
    client = VerifiedClientFactory()
    if rep is not None:
        client.service_rep = rep
        client.save(update_fields=["service_rep"])
    contract = ContractFactory(client=client, status=Contract.Status.ACTIVE,
                               starts_on=datetime.date(2026, 1, 1),
                               ends_on=datetime.date(2030, 12, 31),
                               housing_fund_rate=Decimal("0.07"))
    ContractPriceFactory(contract=contract, city=city)
    id_number = make_id_number(7000 + client.pk)
    person = enrolled_person(client, city=city, id_number=id_number)
    paper = paper_upload(person=person, client=client, kind="labour_contract", actor=None,
                         upload=SimpleUploadedFile("contract.pdf", DEMO_PDF,
                                                   content_type="application/pdf"))
    case = case_open(client=client, person=person, type="other", channel=CaseChannel.STAFF,
                     actor=None, now=timezone.now())
    inquiry = inquiry_open(client=client, subject="询问", body="请问", channel="portal",
                           actor=None)
    complaint = complaint_open(client=client, subject="投诉", body="不满", channel="portal",
                               actor=None)
    webhook = WebhookEndpoint.objects.create(client=client, url="https://hooks.example.com/in",
                                             secret="s3cret")
    data = ClientData(client=client, contract=contract, person=person, paper=paper,
                      case=case, inquiry=inquiry, complaint=complaint, webhook=webhook,
                      objects={"id_number": id_number})
    for role in (Role.CLIENT_ADMIN, Role.CLIENT_VIEWER):
        data.users[role] = UserFactory(role=role, client=client)
    data.notification = notification_create(user=data.users[Role.CLIENT_ADMIN],
                                            message="通知", link="")
    _more(data, city)
    return data


def _try(data: ClientData, name: str, make: Any) -> None:
    """Objects whose making needs more of the domain than the matrix controls: when one
    cannot be made, its URLs fall back to the guard-only case (see matrix.MISSING)."""
    from django.db import transaction

    try:
        with transaction.atomic():
            data.objects[name] = make()
    except Exception as exc:  # noqa: BLE001 - recorded, shown by the matrix
        data.objects[name] = None
        data.objects[f"{name}:error"] = repr(exc)


def _more(data: ClientData, city: City) -> None:
    from archive.models import ItemKind
    from clients.services import api_key_issue
    from enrollment.models import Enrollment
    from enrollment.orders.services import order_submit
    from tests.archive.factories import store
    from tests.enrollment.order_fixtures import add_line

    client = data.client
    data.objects["enrollment"] = Enrollment.objects.filter(person=data.person,
                                                           client=client).first()
    _try(data, "api_key", lambda: api_key_issue(client=client, name="hr", actor=None)[0])
    _try(data, "archive_item", lambda: store(client_id=client.pk, kind=ItemKind.CLIENT_PAPERS))

    def order() -> Any:
        first = timezone.localdate().replace(day=1)
        effective = (first + datetime.timedelta(days=40)).replace(day=1)
        n = 500 + client.pk * 7
        return order_submit(client=client, channel="api", actor=None,
                            lines=[add_line(n, effective_date=effective.isoformat())])

    _try(data, "order", order)
    if data.objects.get("order") is not None:
        data.objects["order_line"] = data.objects["order"].lines.first()

    def bill() -> Any:
        from billing.services import bill_generate, bill_issue

        draft = bill_generate(client=client, month=timezone.localdate().replace(day=1),
                              actor=None)
        return bill_issue(bill=draft, actor=None)  # the client sees issued bills only

    _try(data, "bill", bill)


@dataclass
class World:
    staff: dict[str, Any]
    mine: ClientData
    theirs: ClientData
    staff_notification: Any = None


def build_world() -> World:
    from policies.policy_file import POLICY_FILE, read_policy_file
    from policies.services import policies_load

    policies_load(cities=read_policy_file(POLICY_FILE))  # a bill needs the policy in force
    staff = {role: UserFactory(role=role) for role in STAFF}
    mine = build_client_data(rep=staff[Role.SERVICE_REP])
    theirs = build_client_data()
    note = notification_create(user=staff[Role.ADMIN], message="通知", link="")
    return World(staff=staff, mine=mine, theirs=theirs, staff_notification=note)
