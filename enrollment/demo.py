"""Demo insured persons and enrolments: each demo client gets the headcount its entry in
`clients.demo.CLIENTS` asks for (so the size tiers small / medium / large all appear).
Deterministic and idempotent: names and ID numbers come from a fixed sequence."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.demo import DEMO_PDF, DEMO_PNG
from clients.demo import CLIENTS
from clients.models import Client
from enrollment.models import Enrollment, InsuredPerson, Paper
from enrollment.persons.enrollment_services import enrollment_open
from enrollment.persons.id_numbers import id_check_char
from enrollment.persons.paper_services import paper_upload
from enrollment.persons.services import person_create
from policies.models import City

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
    return City.objects.get(code=code)  # loaded by policies.demo


HUKOU_TYPES = ("urban_local", "urban_nonlocal", "rural_local", "rural_nonlocal")
EDUCATION = ("bachelor", "college", "senior_high", "master", "vocational")
STREETS = ("人民路", "解放路", "中山路", "建设路", "和平路", "新华路")
PAPERS_PER_CLIENT = 6  # the first persons of each demo client get papers, one kind missing

def create_person(person: DemoPerson, n: int = 0, city_name: str = "") -> InsuredPerson:
    """The one place demo persons are created (fields grow with the person model)."""
    contract_start = datetime.date(2024, 1, 1) + datetime.timedelta(days=(n * 37) % 700)
    return person_create(
        name=person.name,
        id_number=person.id_number,
        actor=None,
        phone=f"138{n:08d}",
        hukou_type=HUKOU_TYPES[n % len(HUKOU_TYPES)],
        hukou_address=f"{city_name}{STREETS[n % len(STREETS)]}{n % 300 + 1}号",
        education_level=EDUCATION[n % len(EDUCATION)],
        school="复旦大学" if n % 2 else "上海第二工业大学",
        major="计算机科学与技术" if n % 3 else "工商管理",
        graduated_on=person.birth_date.replace(year=person.birth_date.year + 22, day=1),
        employment_type=("ordinary", "dispatched", "outsourced")[n % 3],
        labour_contract_starts_on=contract_start,
        labour_contract_ends_on=contract_start + datetime.timedelta(days=3 * 365 - 1),
    )


def give_papers(person: InsuredPerson, client: Client, i: int) -> None:
    """All papers but one kind (which one rotates), as small PNG/PDF files."""
    kinds = [k for k in Paper.Kind.values if k != Paper.Kind.values[i % len(Paper.Kind.values)]]
    for kind in kinds:
        pdf = kind in (Paper.Kind.LABOUR_CONTRACT, Paper.Kind.OUTSOURCING_LETTER)
        upload = SimpleUploadedFile(f"{kind}.{'pdf' if pdf else 'png'}",
                                    DEMO_PDF if pdf else DEMO_PNG)
        paper_upload(person=person, client=client, kind=kind, upload=upload, actor=None)


def seed() -> None:
    n = 0
    for entry in CLIENTS:
        client = Client.objects.get(name=entry.name)
        city = demo_city(entry.city_code)
        city_name, counties = DEMO_CITIES[entry.city_code]
        have = Enrollment.objects.filter(
            client=client, status=Enrollment.Status.ACTIVE,
            scheme=Enrollment.Scheme.SOCIAL_INSURANCE,
        ).count()
        start = datetime.date(2025, 1, 1)
        for i in range(entry.headcount):
            n += 1
            if i < have:
                continue
            person = create_person(demo_person(n, counties[i % len(counties)]), n, city_name)
            base = Decimal(6000 + (n * 250) % 20000)
            enrollment_open(
                person=person, client=client, city=city,
                scheme=Enrollment.Scheme.SOCIAL_INSURANCE, starts_on=start, actor=None,
                base_kind=Enrollment.BaseKind.DECLARED if n % 5 else Enrollment.BaseKind.CITY_MIN,
                base=base if n % 5 else None,
                bureau_account_number=f"SI{entry.city_code}{n:07d}",
            )
            if i % 3 == 0:  # a third also pay into the housing fund, from a later month
                enrollment_open(
                    person=person, client=client, city=city,
                    scheme=Enrollment.Scheme.HOUSING_FUND, starts_on=datetime.date(2025, 3, 1),
                    actor=None, base=base, rate=Decimal("0.07"),
                    bureau_account_number=f"HF{entry.city_code}{n:07d}",
                )
            if i < PAPERS_PER_CLIENT:
                give_papers(person, client, i)


DEMO_ORDER_NOTE = "演示派单"


def _give_all_papers(person: InsuredPerson, client: Client) -> None:
    for kind in Paper.Kind.values:
        pdf = kind in (Paper.Kind.LABOUR_CONTRACT, Paper.Kind.OUTSOURCING_LETTER)
        upload = SimpleUploadedFile(f"{kind}.{'pdf' if pdf else 'png'}",
                                    DEMO_PDF if pdf else DEMO_PNG)
        paper_upload(person=person, client=client, kind=kind, upload=upload, actor=None)


def seed_orders() -> None:
    """Two roster orders of 北京华泰 whose lines show every status of the workflow:
    papers_missing, received, submitted, succeeded, partially_succeeded (social insurance
    done, housing fund failed), failed, returned and cancelled. Two adds and two removals
    succeed, so the client's headcount (and size tier) stays as declared."""
    from agency.deadlines import add_months
    from agency.models import User
    from enrollment.orders.services import order_submit
    from enrollment.orders.workflow import line_transition
    from enrollment.persons.services import person_id_number

    client = Client.objects.get(name="北京华泰精密制造有限公司")
    if client.roster_orders.filter(note=DEMO_ORDER_NOTE).exists():
        return
    hr = User.objects.get(username="huatai-hr")
    rep = User.objects.get(username="rep2")
    effective = add_months(timezone.localdate().replace(day=1), 1).isoformat()
    newcomers = [demo_person(9000 + i, "110108") for i in range(5)]
    adds = order_submit(
        client=client, channel="portal", actor=hr, note=DEMO_ORDER_NOTE,
        lines=[{"action": "add", "name": p.name, "id_number": p.id_number,
                "hukou_type": "urban_nonlocal", "city": "110000", "base": "12000.00",
                "effective_date": effective, "phone": f"1390000{i:04d}"}
               for i, p in enumerate(newcomers)],
    )
    lines = list(adds.lines.order_by("line_no"))
    for line in lines[1:]:  # the first stays waiting; complete papers release the others
        _give_all_papers(line.person, client)
    for line in lines[2:]:
        line_transition(line=line, to="submitted", actor=rep)
    line_transition(line=lines[3], to="succeeded", actor=rep)
    line_transition(line=lines[4], to="succeeded", scheme="social_insurance", actor=rep)
    line_transition(line=lines[4], to="failed", scheme="housing_fund", actor=rep,
                    reason="公积金个人账户在原单位未封存")

    leaving = list(Enrollment.objects.filter(
        client=client, status=Enrollment.Status.ACTIVE,
        scheme=Enrollment.Scheme.SOCIAL_INSURANCE,
    ).select_related("person").order_by("pk")[:5])
    reasons = ["resignation", "contract_end", "resignation", "dismissal", "other"]
    removals = order_submit(
        client=client, channel="email", actor=rep, note=DEMO_ORDER_NOTE,
        lines=[{"action": "remove", "id_number": person_id_number(e.person), "city": "110000",
                "effective_date": effective, "reason": reason}
               for e, reason in zip(leaving, reasons, strict=True)],
    )
    out = list(removals.lines.order_by("line_no"))
    for line in out[:3]:
        line_transition(line=line, to="submitted", actor=rep)
    line_transition(line=out[0], to="succeeded", actor=rep)
    line_transition(line=out[1], to="succeeded", actor=rep)
    line_transition(line=out[2], to="failed", actor=rep, reason="社保卡信息与公安户籍不一致")
    line_transition(line=out[3], to="returned", actor=rep, reason="请补充解除劳动合同证明")
    line_transition(line=out[4], to="cancelled", actor=rep)
