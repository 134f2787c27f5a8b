"""Shared set-up of the roster-order tests: a verified client with an active contract in
Shanghai and Beijing (housing fund included), persons with valid ID numbers, papers."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.deadlines import add_months
from enrollment.demo import DEMO_PDF, DEMO_PNG, demo_person
from enrollment.models import Enrollment, Paper
from enrollment.persons.enrollment_services import enrollment_open
from enrollment.persons.paper_services import paper_upload
from enrollment.persons.services import person_create

SH = timezone.get_fixed_timezone(8 * 60)
RECEIVED = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=SH)  # after the 15th cut-off


def valid_id(n: int, county: str = "310115") -> str:
    return demo_person(n, county).id_number


def give_all_papers(person, client) -> None:
    for kind in Paper.Kind.values:
        pdf = kind in (Paper.Kind.LABOUR_CONTRACT, Paper.Kind.OUTSOURCING_LETTER)
        paper_upload(person=person, client=client, kind=kind, actor=None,
                     upload=SimpleUploadedFile(f"{kind}.{'pdf' if pdf else 'png'}",
                                               DEMO_PDF if pdf else DEMO_PNG))


def enrolled(client, city, n: int, *, schemes=("social_insurance",), name: str = ""):
    """A person enrolled by `client` in `city` since 2026-01-01."""
    p = demo_person(n, "310115")
    person = person_create(name=name or p.name, id_number=p.id_number, actor=None)
    for scheme in schemes:
        enrollment_open(person=person, client=client, city=city, scheme=scheme,
                        starts_on=datetime.date(2026, 1, 1), actor=None,
                        base=Decimal("8000.00"),
                        rate=Decimal("0.07") if scheme == "housing_fund" else None)
    return person


def add_line(n: int, **over):
    line = {"action": "add", "name": demo_person(n, "310115").name, "id_number": valid_id(n),
            "hukou_type": "urban_local", "city": "310000", "base": "8000.00",
            "effective_date": "2026-12-01", "phone": "13800000000"}
    line.update(over)
    return line


def next_month() -> str:
    """The first day of next month (Asia/Shanghai), the usual effective date of an add."""
    return add_months(timezone.localdate().replace(day=1), 1).isoformat()


def next_month_line(n: int, **over):
    """An add line effective next month (so no cut-off has passed)."""
    return add_line(n, effective_date=next_month(), **over)


def active(person, city, scheme="social_insurance"):
    return Enrollment.objects.filter(person=person, city=city, scheme=scheme,
                                     status="active").first()
