"""factory_boy factories shared by every test folder."""

import factory

from agency.models import User
from agency.roles import Role
from clients.models import Client
from clients.validators import USCC_ALPHABET, uscc_check_char

PASSWORD = "test-pass-9183"


def make_uscc(n: int) -> str:
    body = "91310000MA"
    digits = ""
    x = n
    for _ in range(7):
        digits = USCC_ALPHABET[x % 31] + digits
        x //= 31
    first17 = body + digits
    return first17 + uscc_check_char(first17)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"测试客户{n}有限公司")
    uscc = factory.Sequence(lambda n: make_uscc(n + 1000))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.SERVICE_REP
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "policies.City"
        django_get_or_create = ("code",)

    code = "310000"
    name = "上海市"
    order_cutoff_day = 15


def make_id_number(n: int, county: str = "310104") -> str:
    """The n-th valid 18-digit resident ID number (distinct for n < 900 × 12000)."""
    import datetime

    from enrollment.persons.id_numbers import id_check_char

    birth = datetime.date(1975, 1, 1) + datetime.timedelta(days=n % 12000)
    first17 = f"{county}{birth:%Y%m%d}{100 + (n // 12000) % 900:03d}"
    return first17 + id_check_char(first17)


class InsuredPersonFactory(factory.django.DjangoModelFactory):
    """A valid person, created through the service (ID number encrypted, sex and birth
    date derived). Pass `id_number=` for a given number."""

    class Meta:
        model = "enrollment.InsuredPerson"

    name = factory.Sequence(lambda n: f"参保人{n}")
    id_number = factory.Sequence(lambda n: make_id_number(n))
    hukou_type = "urban_local"
    hukou_address = factory.Sequence(lambda n: f"上海市徐汇区漕溪北路{n}号")
    phone = factory.Sequence(lambda n: f"139{n:08d}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from enrollment.persons.services import person_create

        return person_create(actor=None, **kwargs)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "enrollment.Enrollment"

    person = factory.SubFactory(InsuredPersonFactory)
    client = factory.SubFactory(ClientFactory)
    city = factory.SubFactory(CityFactory)
    scheme = "social_insurance"
    status = "active"
