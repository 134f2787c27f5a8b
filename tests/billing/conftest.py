"""A client with persons in Shanghai and Beijing under the shipped policy data: the
figures of its November 2026 bill are computed by hand in `test_bills.py`."""

import datetime
from decimal import Decimal

import pytest

from billing.models import AgencyEntity, VatMethod
from clients.models import Contract
from enrollment.models import Enrollment, Scheme
from enrollment.persons.enrollment_services import enrollment_open
from policies.models import City
from tests.clients.factories import ContractFactory, ContractPriceFactory, VerifiedClientFactory
from tests.factories import InsuredPersonFactory

NOV = datetime.date(2026, 11, 1)


@pytest.fixture
def seller(db):
    return AgencyEntity.objects.create(
        name="上海安信人力资源服务有限公司", uscc="91310000MA1FL8XQ30",
        address="上海市黄浦区中山东一路1号",
        phone="021-63210000", bank="招商银行上海分行", bank_account="121900000010101",
        vat_method=VatMethod.GENERAL,
    )


@pytest.fixture
def two_city_client(policies):
    """Contract 2026: Shanghai 80.00 a head (base work-injury rate), Beijing 100.00 a
    head at a work-injury rate of 0.4 %; housing fund 7 %."""
    sh, bj = City.objects.get(code="310000"), City.objects.get(code="110000")
    client = VerifiedClientFactory(name="上海启明信息技术有限公司")
    contract = ContractFactory(client=client, status=Contract.Status.ACTIVE,
                               starts_on=datetime.date(2026, 1, 1),
                               ends_on=datetime.date(2027, 12, 31),
                               housing_fund_rate=Decimal("0.07"))
    ContractPriceFactory(contract=contract, city=sh, price_per_head=Decimal("80.00"))
    ContractPriceFactory(contract=contract, city=bj, price_per_head=Decimal("100.00"),
                         work_injury_rate=Decimal("0.004"))
    return client


def enrol(client, city_code: str, *, name: str, base: str, fund_base: str | None = None,
          starts: datetime.date = NOV, base_kind: str = Enrollment.BaseKind.DECLARED):
    """A person with a social-insurance enrolment (and a housing-fund one at 7 % when
    `fund_base` is given) from `starts`."""
    city = City.objects.get(code=city_code)
    person = InsuredPersonFactory(name=name)
    enrollment_open(person=person, client=client, city=city, scheme=Scheme.SOCIAL_INSURANCE,
                    starts_on=starts, actor=None, base_kind=base_kind, base=Decimal(base))
    if fund_base is not None:
        enrollment_open(person=person, client=client, city=city, scheme=Scheme.HOUSING_FUND,
                        starts_on=starts, actor=None, base=Decimal(fund_base),
                        rate=Decimal("0.07"))
    return person
