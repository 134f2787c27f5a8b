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
        model = "enrollment.City"
        django_get_or_create = ("code",)

    code = "310000"
    name = "上海市"
    order_cutoff_day = 15


class InsuredPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "enrollment.InsuredPerson"

    name = factory.Sequence(lambda n: f"参保人{n}")


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "enrollment.Enrollment"

    person = factory.SubFactory(InsuredPersonFactory)
    client = factory.SubFactory(ClientFactory)
    city = factory.SubFactory(CityFactory)
    scheme = "social_insurance"
    status = "active"
