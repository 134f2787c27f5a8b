"""Demo clients, their profiles, representatives, contracts and portal users.
Deterministic and idempotent; contract dates follow today (one ends within 30 days)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.deadlines import add_months, month_start
from agency.demo import DEMO_PDF, DEMO_PNG, demo_user
from agency.models import User
from agency.roles import Role
from archive.models import ArchiveItem, FilingBatch, ItemKind
from archive.services import archive_store, batch_close, filing_check, loan_create
from clients.models import Client, Contract
from clients.services import (
    PriceInput,
    client_assign_rep,
    client_save,
    client_verify_licence,
    contract_activate,
    contract_create,
    correspondence_log,
)
from clients.validators import uscc_check_char
from policies.models import City


@dataclass(frozen=True)
class DemoClient:
    name: str
    uscc17: str  # first 17 characters of the USCC; the check character is computed
    login: str  # portal usernames: <login>-hr (client_admin), <login>-view (client_viewer)
    city_code: str
    headcount: int  # active insured persons the demo enrols (enrollment.demo)
    ownership_type: str = Client.OwnershipType.PRIVATE
    industry: str = Client.Industry.L
    office_address: str = ""
    contact: tuple[str, str] = ("", "")
    rep: str = "rep1"  # service representative (loads: rep1 332, rep2 210; limit 500)
    price: str = "80.00"  # service fee per person per month in the client's city
    price_reason: str = ""
    contract_days_left: int = 365  # the contract ends this many days from today
    verified: bool = True  # business licence verified (else the contract stays a draft)


CLIENTS = [
    DemoClient("上海启明信息技术有限公司", "91310115MA1K4ABC0", "qiming", "310000", 320,
               Client.OwnershipType.PRIVATE, Client.Industry.I, "上海市浦东新区张江路88号",
               ("周敏", "021-58881234"), "rep1", "75.00", contract_days_left=20),
    DemoClient("北京华泰精密制造有限公司", "91110108MA01XYW12", "huatai", "110000", 150,
               Client.OwnershipType.FOREIGN_INVESTED, Client.Industry.C,
               "北京市海淀区上地十街10号", ("郑凯", "010-62345678"), "rep2", "95.00"),
    DemoClient("深圳前海云帆物流有限公司", "91440300MA5F8LMN3", "yunfan", "440300", 60,
               Client.OwnershipType.HMT_INVESTED, Client.Industry.G,
               "深圳市南山区前海大道2号", ("林晓", "0755-86001122"), "rep2", "110.00"),
    DemoClient("杭州西溪餐饮管理有限公司", "91330106MA2H7PQR4", "xixi", "330100", 12,
               Client.OwnershipType.COLLECTIVE, Client.Industry.H, "杭州市西湖区文二西路5号",
               ("沈芳", "0571-88776655"), "rep1", "45.00", "小微企业扶持价，经理审批"),
]

def _seed_contract(client: Client, entry: DemoClient, actor: User) -> None:
    number = f"HT-DEMO-{entry.login.upper()}"
    if Contract.objects.filter(number=number).exists():
        return
    today = timezone.localdate()
    contract = contract_create(
        client=client, number=number, starts_on=today - datetime.timedelta(days=200),
        ends_on=today + datetime.timedelta(days=entry.contract_days_left),
        prices=[PriceInput(city_code=entry.city_code, price_per_head=Decimal(entry.price),
                           override_reason=entry.price_reason)],
        housing_fund_rate=Decimal("0.0700"), actor=actor,
        signed_scan=SimpleUploadedFile(f"contract-{entry.login}.pdf", DEMO_PDF),
    )
    if entry.verified:
        contract_activate(contract=contract, actor=actor)


def seed() -> list[tuple[str, str]]:
    logins = []
    admin = User.objects.get(username="admin")
    for c in CLIENTS:
        city = City.objects.get(code=c.city_code)  # loaded by policies.demo
        uscc = c.uscc17 + uscc_check_char(c.uscc17)
        client, _ = Client.objects.get_or_create(uscc=uscc, defaults={"name": c.name})
        profile = {"ownership_type": c.ownership_type, "industry": c.industry,
                   "office_address": c.office_address, "city_id": city.pk,
                   "contact_name": c.contact[0], "contact_phone": c.contact[1]}
        scan = (SimpleUploadedFile(f"licence-{c.login}.png", DEMO_PNG)
                if c.verified and not client.licence_scan else None)
        if scan is not None or any(getattr(client, k) != v for k, v in profile.items()):
            client = client_save(  # the scan goes into the archive like any received paper
                client=client, name=c.name, uscc=uscc, ownership_type=c.ownership_type,
                industry=c.industry, office_address=c.office_address, city_code=c.city_code,
                contact_name=c.contact[0], contact_phone=c.contact[1], licence_scan=scan,
                actor=admin)
        if c.verified and not client.licence_verified:
            client_verify_licence(client=client, actor=admin)
        if client.service_rep is None or client.service_rep.username != c.rep:
            client_assign_rep(client=client, rep=User.objects.get(username=c.rep), actor=admin)
        _seed_contract(client, c, admin)
        demo_user(username=f"{c.login}-hr", display_name=f"{c.name[:4]} HR",
                  role=Role.CLIENT_ADMIN, client_id=client.pk)
        demo_user(username=f"{c.login}-view", display_name=f"{c.name[:4]} 只读",
                  role=Role.CLIENT_VIEWER, client_id=client.pk)
        logins.append((f"{c.login}-hr", f"{Role.CLIENT_ADMIN.label} · {c.name}"))
    return logins


def seed_archive() -> None:
    """The archive as an archivist finds it (STD-4.8, STD-5.3): logged correspondence, the
    paper original of a contract (lent out and overdue), a closed month, a month still open
    with an unchecked item (overdue from the 16th) and this month's papers to file. Run
    after the other apps' demos, whose received papers are this month's items."""
    client = Client.objects.get(uscc__startswith=CLIENTS[0].uscc17)
    if ArchiveItem.objects.filter(client_id=client.pk, kind=ItemKind.CORRESPONDENCE).exists():
        return
    archivist = User.objects.get(username="admin")
    rep = User.objects.get(username=CLIENTS[0].rep)
    today = timezone.localdate()
    three_ago, two_ago = add_months(month_start(today), -3), add_months(month_start(today), -2)
    letter = correspondence_log(
        client=client, channel="letter", incoming=True, occurred_on=three_ago.replace(day=9),
        subject="年度缴费基数确认函", summary="客户确认本年度缴费基数按上年平均工资申报。",
        upload=SimpleUploadedFile("基数确认函.pdf", DEMO_PDF), actor=rep)
    filing_check(item=letter, actor=archivist)
    batch_close(batch=FilingBatch.objects.get(month=three_ago), actor=archivist)
    correspondence_log(
        client=client, channel="phone", incoming=True, occurred_on=two_ago.replace(day=20),
        subject="询问外地员工参保", summary="周敏来电询问北京员工能否在上海参保，已说明须在"
        "实际工作地参保，并发送北京政策摘要。", actor=rep)
    original = archive_store(
        kind=ItemKind.AGREEMENT, client_id=client.pk, month=two_ago, actor=archivist,
        subject=client.contracts.order_by("pk").first(),
        title=f"服务合同 HT-DEMO-{CLIENTS[0].login.upper()} 纸质原件",
        physical_location="档案室 A 柜 03 层 12 盒")
    filing_check(item=original, actor=archivist)
    loan_create(item=original, borrower="财务部 王会计", purpose="年度审计核对合同",
                due_on=today - datetime.timedelta(days=3), actor=archivist,
                today=today - datetime.timedelta(days=10))
    correspondence_log(
        client=client, channel="email", incoming=False, occurred_on=today,
        subject="本月增减员截止日提醒", summary="提醒客户本月 15 日前提交增减员名单。",
        actor=rep)
