"""Demo insured persons and enrolments: each demo client gets the headcount its entry in
`clients.demo.CLIENTS` asks for (so the size tiers small / medium / large all appear).
Deterministic and idempotent: names and ID numbers come from a fixed sequence."""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from clients.demo import CLIENTS
from clients.models import Client
from enrollment.id_numbers import id_check_char
from enrollment.models import City, Enrollment, InsuredPerson
from enrollment.policy_data import read_policy_file
from enrollment.policy_services import policies_load

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉志红玉兰飞鹏宇浩晨欣怡子"
    "涵梓萱俊杰思远佳琪雨轩嘉怡一鸣"
)

# city code -> (name, county codes used for demo birth places)
DEMO_CITIES = {
    "310000": ("上海市", ["310115", "310104", "310112"]),
    "110000": ("北京市", ["110108", "110105", "110101"]),
    "440300": ("深圳市", ["440305", "440304", "440306"]),
    "330100": ("杭州市", ["330106", "330108", "330110"]),
    "510100": ("成都市", ["510107", "510104", "510124"]),
    "440100": ("广州市", ["440106", "440104", "440105"]),
}


@dataclass(frozen=True)
class DemoPerson:
    name: str
    id_number: str
    birth_date: datetime.date
    sex: str  # "M" or "F"


def demo_person(n: int, county: str) -> DemoPerson:
    """The n-th demo person (n ≥ 0), born in `county`: a valid 18-digit ID number."""
    surname = SURNAMES[n % len(SURNAMES)]
    given = GIVEN[(n * 7) % len(GIVEN)] + ("" if n % 3 else GIVEN[(n * 13 + 5) % len(GIVEN)])
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=(n * 397) % 12000)
    sequence = 100 + (n % 899)
    first17 = f"{county}{birth:%Y%m%d}{sequence:03d}"
    return DemoPerson(
        name=surname + given,
        id_number=first17 + id_check_char(first17),
        birth_date=birth,
        sex="M" if sequence % 2 else "F",
    )


def demo_city(code: str) -> City:
    name, _counties = DEMO_CITIES[code]
    city, _ = City.objects.get_or_create(code=code, defaults={"name": name})
    return city


def create_person(person: DemoPerson) -> InsuredPerson:
    """The one place demo persons are created (fields grow with the person model)."""
    return InsuredPerson.objects.create(name=person.name)


def policy_file() -> Path:
    """The shared policy data file, beside the project folder (loaded, never copied)."""
    return Path(settings.BASE_DIR).parent / "shared" / "data" / "city-policies.json"


def seed_policies(path: Path | None = None) -> None:
    path = path or policy_file()
    if not path.is_file():
        raise FileNotFoundError(
            f"the city policy data file {path} is missing: the shared/ folder must sit "
            "beside the project folder"
        )
    policies_load(cities=read_policy_file(path))


def seed() -> None:
    seed_policies()
    n = 0
    for entry in CLIENTS:
        client = Client.objects.get(name=entry.name)
        city = demo_city(entry.city_code)
        _name, counties = DEMO_CITIES[entry.city_code]
        have = Enrollment.objects.filter(client=client, status=Enrollment.Status.ACTIVE).count()
        start = datetime.date(2025, 1, 1)
        for i in range(entry.headcount):
            n += 1
            if i < have:
                continue
            person = create_person(demo_person(n, counties[i % len(counties)]))
            Enrollment.objects.create(
                person=person, client=client, city=city,
                scheme=Enrollment.Scheme.SOCIAL_INSURANCE, status=Enrollment.Status.ACTIVE,
                starts_on=start,
            )
