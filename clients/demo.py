"""Demo clients and their portal users. Deterministic and idempotent."""

from dataclasses import dataclass

from agency.demo import demo_user
from agency.roles import Role
from clients.models import Client
from clients.validators import uscc_check_char


@dataclass(frozen=True)
class DemoClient:
    name: str
    uscc17: str  # first 17 characters of the USCC; the check character is computed
    login: str  # portal usernames: <login>-hr (client_admin), <login>-view (client_viewer)
    city_code: str
    headcount: int  # active insured persons the demo enrols (enrollment.demo)


CLIENTS = [
    DemoClient("上海启明信息技术有限公司", "91310115MA1K4ABC0", "qiming", "310000", 320),
    DemoClient("北京华泰精密制造有限公司", "91110108MA01XYW12", "huatai", "110000", 150),
    DemoClient("深圳前海云帆物流有限公司", "91440300MA5F8LMN3", "yunfan", "440300", 60),
    DemoClient("杭州西溪餐饮管理有限公司", "91330106MA2H7PQR4", "xixi", "330100", 12),
]


def seed() -> list[tuple[str, str]]:
    logins = []
    for c in CLIENTS:
        uscc = c.uscc17 + uscc_check_char(c.uscc17)
        client, _ = Client.objects.get_or_create(uscc=uscc, defaults={"name": c.name})
        demo_user(username=f"{c.login}-hr", display_name=f"{c.name[:4]} HR",
                  role=Role.CLIENT_ADMIN, client_id=client.pk)
        demo_user(username=f"{c.login}-view", display_name=f"{c.name[:4]} 只读",
                  role=Role.CLIENT_VIEWER, client_id=client.pk)
        logins.append((f"{c.login}-hr", f"{Role.CLIENT_ADMIN.label} · {c.name}"))
    return logins
