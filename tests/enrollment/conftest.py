"""Fixtures of the roster-order tests (helpers are in order_fixtures.py)."""

import datetime
from decimal import Decimal

import pytest

from clients.models import Contract
from tests.clients.factories import ContractFactory, ContractPriceFactory, VerifiedClientFactory
from tests.factories import CityFactory


@pytest.fixture
def shanghai(db):
    return CityFactory(code="310000", name="上海市", order_cutoff_day=15)


@pytest.fixture
def beijing(db):
    return CityFactory(code="110000", name="北京市", order_cutoff_day=15)


@pytest.fixture
def company(db, shanghai, beijing):
    client = VerifiedClientFactory(name="上海启明信息技术有限公司")
    contract = ContractFactory(client=client, status=Contract.Status.ACTIVE,
                               starts_on=datetime.date(2026, 1, 1),
                               ends_on=datetime.date(2030, 12, 31),
                               housing_fund_rate=Decimal("0.07"))
    ContractPriceFactory(contract=contract, city=shanghai)
    ContractPriceFactory(contract=contract, city=beijing)
    return client
