"""Factories of the clients and agency-organisation tests."""

import datetime
from decimal import Decimal

import factory
from django.apps import apps
from django.utils import timezone

from agency.models import Licence, StaffProfile
from agency.roles import Role
from clients.models import Contract, ContractPrice
from tests.factories import CityFactory, ClientFactory, UserFactory


class LicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Licence

    kind = Licence.Kind.HR_SERVICE
    number = factory.Sequence(lambda n: f"（沪）人服证字〔2024〕第{n:010d}号")
    authority = "上海市人力资源和社会保障局"
    valid_from = datetime.date(2024, 1, 1)
    valid_to = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=700))


class StaffProfileFactory(factory.django.DjangoModelFactory):
    """A qualified profile unless told otherwise."""

    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory, role=Role.SERVICE_REP)
    education = StaffProfile.Education.BACHELOR
    hr_experience_since = datetime.date(2020, 3, 1)
    certificate_number = factory.Sequence(lambda n: f"HR{n:08d}")
    certificate_valid_until = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=365)
    )


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2265bf60000000049454e44ae426082"
)


class ScannedClientFactory(ClientFactory):
    """A client whose business-licence scan is on file (not yet verified)."""

    licence_scan = factory.django.FileField(filename="licence.png", data=PNG)


def qualified_rep(**kwargs):
    return StaffProfileFactory(**kwargs).user


class VerifiedClientFactory(ClientFactory):
    licence_verified_at = factory.LazyFunction(timezone.now)


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    client = factory.SubFactory(ClientFactory)
    number = factory.Sequence(lambda n: f"HT-TEST-{n:05d}")
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2026, 12, 31)
    status = Contract.Status.DRAFT


class ContractPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractPrice

    contract = factory.SubFactory(ContractFactory)
    city = factory.SubFactory(CityFactory)
    price_per_head = Decimal("80.00")


def enrol_many(client, n: int, *, status: str = "active") -> None:
    """`n` persons with an enrolment at `client`, in bulk (tests of headcount and load)."""
    person_model = apps.get_model("enrollment", "InsuredPerson")
    enrollment_model = apps.get_model("enrollment", "Enrollment")
    city = CityFactory()
    people = person_model.objects.bulk_create(
        person_model(name=f"批量{i}") for i in range(n)
    )
    enrollment_model.objects.bulk_create(
        enrollment_model(person=p, client=client, city=city, scheme="social_insurance",
                         status=status)
        for p in people
    )
