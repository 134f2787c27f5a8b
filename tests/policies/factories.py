"""Factories of the policy models, and the policy data file shipped with the project."""

import datetime
from decimal import Decimal

import factory

from policies.models import PolicyItem, PolicyVersion
from policies.policy_file import POLICY_FILE
from tests.factories import CityFactory

__all__ = ["POLICY_FILE", "PolicyItemFactory", "PolicyVersionFactory"]


class PolicyVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyVersion

    city = factory.SubFactory(CityFactory)
    effective_from = datetime.date(2030, 1, 1)
    effective_to = datetime.date(2030, 12, 31)
    notice = "测试通知〔2030〕1号"


class PolicyItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyItem

    version = factory.SubFactory(PolicyVersionFactory)
    kind = "pension"
    base_floor = Decimal("5000.00")
    base_ceiling = Decimal("25000.00")
    employer_rate = Decimal("0.16")
    employee_rate = Decimal("0.08")
    confidence = "official_text"
