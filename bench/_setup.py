"""The set-up the benchmarks share (written in bulk, never timed): the schema and the policy
file, verified clients with an active contract and a price per city, insured persons and
their enrolments of the benchmarks' month.

Import it after `django.setup()` (it imports models), like the benchmarks' other imports.
Each benchmark keeps its own names, USCCs and ID-number hashes, so that two benchmarks
run against one database do not find each other's rows (scripts/bench.sh gives each its
own database anyway)."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.management import call_command
from django.utils import timezone

from clients.models import Client, Contract, ContractPrice
from enrollment.models import Enrollment, EnrollmentBase, InsuredPerson, Scheme
from policies.models import City
from policies.policy_file import POLICY_FILE, read_policy_file
from policies.services import policies_load

MONTH = datetime.date(2026, 11, 1)  # the month every benchmark bills, reconciles or proves
SHANGHAI = "310000"
FUND_RATE = Decimal("0.07")  # the contracts' and the enrolments' housing fund rate
PRICE = Decimal("80.00")  # the service fee per head


def migrated() -> City:
    """The schema migrated and the policy file loaded (once): Shanghai's city."""
    call_command("migrate", verbosity=0)
    if not City.objects.filter(code=SHANGHAI).exists():
        policies_load(cities=read_policy_file(POLICY_FILE))
    return City.objects.get(code=SHANGHAI)


def client_row(name: str, uscc: str) -> Client:
    """A client (not saved yet) whose licence is verified, so that it may be billed."""
    return Client(name=name, uscc=uscc, office_address="上海市",
                  licence_verified_at=timezone.now())


def clients(prefix: str, count: int, uscc: str) -> list[Client]:
    """`count` clients "`prefix`NNNN有限公司": the ones a previous run left, then new ones
    (USCC `uscc` followed by the number, cut to 18 characters)."""
    existing = list(Client.objects.filter(name__startswith=prefix).order_by("pk"))
    return existing + Client.objects.bulk_create([
        client_row(f"{prefix}{n:04d}有限公司", f"{uscc}{n:09d}"[:18])
        for n in range(len(existing), count)
    ])


def contracts(clients: Iterable[Client], cities: Sequence[City], prefix: str) -> None:
    """An active contract "`prefix`-<client's pk>" (2026–2027, housing fund at 7 %) with a
    price per head in each of `cities`, for each client that has none yet."""
    made = Contract.objects.bulk_create([
        Contract(client=c, number=f"{prefix}-{c.pk}", starts_on=datetime.date(2026, 1, 1),
                 ends_on=datetime.date(2027, 12, 31), status=Contract.Status.ACTIVE,
                 housing_fund_rate=FUND_RATE)
        for c in clients if not Contract.objects.filter(number=f"{prefix}-{c.pk}").exists()
    ])
    ContractPrice.objects.bulk_create([
        ContractPrice(contract=k, city=city, price_per_head=PRICE)
        for k in made for city in cities
    ])


def person_row(name: str, *, number_hash: str, last4: str, masked: str) -> InsuredPerson:
    """An insured person (not saved yet): no real ID number is stored, only its traces."""
    return InsuredPerson(name=name, id_number_encrypted="bench", id_number_hash=number_hash,
                         id_number_last4=last4, id_number_masked=masked,
                         hukou_type="urban_local")


def enrol(persons: Iterable[InsuredPerson], *, client: Client, city: City, first: int = 0,
          first_billed_month: datetime.date | None = None) -> list[Enrollment]:
    """Each person enrolled by `client` in `city`'s social insurance from `MONTH`, every
    third one (counting from `first`) in its housing fund too, with a base that varies
    from 6,000 to 35,999; their bases' history written too."""
    enrollments = []
    for n, p in enumerate(persons, start=first):
        base = Decimal(6000 + (n * 137) % 30000)
        enrollments.append(Enrollment(
            person=p, client=client, city=city, scheme=Scheme.SOCIAL_INSURANCE,
            status=Enrollment.Status.ACTIVE, starts_on=MONTH, base=base,
            first_billed_month=first_billed_month))
        if n % 3 == 0:
            enrollments.append(Enrollment(
                person=p, client=client, city=city, scheme=Scheme.HOUSING_FUND,
                status=Enrollment.Status.ACTIVE, starts_on=MONTH, base=base,
                rate=FUND_RATE, first_billed_month=first_billed_month))
    Enrollment.objects.bulk_create(enrollments)
    EnrollmentBase.objects.bulk_create([
        EnrollmentBase(enrollment=e, starts_month=MONTH, base=e.base, rate=e.rate)
        for e in enrollments])
    return enrollments
