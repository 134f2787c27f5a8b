"""The rows the page walk adds before its second count of each page's queries: `MORE`
of each kind for the caller's own client, and bigger objects for the detail pages whose
rows hang under one object (an order's lines, a bill's lines)."""

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.services import notification_create
from archive.models import ItemKind
from billing.services import bill_generate, bill_issue
from clients.services import correspondence_log
from compliance.service_desk import complaint_open, complaint_reply, inquiry_open, inquiry_reply
from enrollment.cases.services import CaseChannel, case_message, case_open
from enrollment.demo import DEMO_PDF
from enrollment.orders.services import order_submit
from enrollment.persons.paper_services import paper_upload
from policies.models import City
from tests.archive.factories import store
from tests.clients.factories import VerifiedClientFactory
from tests.enrollment.factories_person import enrolled_person
from tests.enrollment.order_fixtures import add_line
from tests.factories import make_id_number
from tests.security.world import World
from tests.ui import walk

# A query per row shows as soon as there are more rows than in the first count: three of
# each kind show it as surely as fifteen did, at a fifth of the making (and fetching) time.
MORE = 3


class MoreRows:
    def __init__(self, world: World) -> None:
        self.world, self.mine = world, world.mine
        self.client, self.person = world.mine.client, world.mine.person
        self.city = City.objects.get(code="310000")
        self.staff = world.staff["admin"]
        self.now, self.today = timezone.now(), timezone.localdate()
        self.effective = walk.first_of_next_month(self.today + datetime.timedelta(days=9))
        self.out: dict[str, Any] = {}

    def make(self) -> dict[str, Any]:
        """Every kind, each in its savepoint; `out` holds the bigger objects by kind and
        `<step>:error` for a step that failed."""
        for step in (self.people, self.orders, self.bills, self.desk, self.cases,
                     self.papers, self.notes, self.clients, self.archive):
            walk._attempt(self.out, step.__name__, step)
        return self.out

    def people(self) -> None:
        for n in range(MORE):
            enrolled_person(self.client, city=self.city, id_number=make_id_number(8100 + n))

    def orders(self) -> None:
        effective = self.effective.isoformat()
        for n in range(MORE):
            order_submit(client=self.client, channel="api", actor=None,
                         lines=[add_line(8200 + n, effective_date=effective)])
        order = order_submit(client=self.client, channel="api", actor=None,
                             lines=[add_line(8300 + n, effective_date=effective)
                                    for n in range(MORE)])
        self.out["order"] = order
        self.out["order_line"] = order.lines.order_by("pk").first()

    def bills(self) -> None:
        """Three earlier months (the walk made last month's), and next month's bill with
        every person added."""
        month = self.today.replace(day=1)
        for back in range(2, 5):
            earlier = (month - datetime.timedelta(days=28 * back)).replace(day=1)
            bill_issue(bill=bill_generate(client=self.client, month=earlier, actor=None),
                       actor=None)
        draft = bill_generate(client=self.client, month=walk.first_of_next_month(month),
                              actor=None)
        self.out["bill"] = bill_issue(bill=draft, actor=None)

    def desk(self) -> None:
        mine, staff = self.mine, self.staff
        for n in range(MORE):
            inquiry_open(client=self.client, subject=f"询问{n}", body="请问",
                         channel="portal", actor=None)
            complaint_open(client=self.client, subject=f"投诉{n}", body="不满",
                           channel="portal", actor=None)
            inquiry_reply(inquiry=mine.inquiry, body=f"答复{n}", actor=staff, from_client=False)
            complaint_reply(complaint=mine.complaint, body=f"答复{n}", actor=staff,
                            from_client=False)
            case_message(case=mine.case, body=f"留言{n}", actor=staff, from_client=False,
                         now=self.now)

    def cases(self) -> None:
        for n in range(MORE):
            other = enrolled_person(self.client, city=self.city,
                                    id_number=make_id_number(8400 + n))
            case_open(client=self.client, person=other, type="other",
                      channel=CaseChannel.STAFF, actor=None, now=self.now)

    def papers(self) -> None:
        for _ in range(MORE):
            paper_upload(person=self.person, client=self.client, kind="labour_contract",
                         actor=None, upload=SimpleUploadedFile(
                             "contract.pdf", DEMO_PDF, content_type="application/pdf"))

    def notes(self) -> None:
        for user in [*self.world.staff.values(), *self.mine.users.values()]:
            for n in range(MORE):
                notification_create(user=user, message=f"通知{n}", link="")

    def clients(self) -> None:
        for _ in range(MORE):
            VerifiedClientFactory(service_rep=self.world.staff["service_rep"])
        for n in range(MORE):
            correspondence_log(client=self.client, channel="phone", incoming=True,
                               occurred_on=self.today, subject=f"函件{n}", summary="内容",
                               actor=self.staff)

    def archive(self) -> None:
        for n in range(MORE):
            store(client_id=self.client.pk, kind=ItemKind.CLIENT_PAPERS, name=f"材料{n}.pdf",
                  content=b"%PDF-1.4 walk " + str(n).encode())
