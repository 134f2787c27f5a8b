"""Demo clients and their portal users. Deterministic and idempotent."""

from agency.demo import demo_user
from agency.roles import Role
from clients.models import Client
from clients.validators import uscc_check_char

# (name, first 17 characters of the USCC, portal username prefix)
CLIENTS = [
    ("上海启明信息技术有限公司", "91310115MA1K4ABC0", "qiming"),
    ("北京华泰精密制造有限公司", "91110108MA01XYW12", "huatai"),
    ("深圳前海云帆物流有限公司", "91440300MA5F8LMN3", "yunfan"),
    ("杭州西溪餐饮管理有限公司", "91330106MA2H7PQR4", "xixi"),
]


def seed() -> list[tuple[str, str]]:
    logins = []
    for name, first17, prefix in CLIENTS:
        uscc = first17 + uscc_check_char(first17)
        client, _ = Client.objects.get_or_create(uscc=uscc, defaults={"name": name})
        demo_user(username=f"{prefix}-hr", display_name=f"{name[:4]} HR",
                  role=Role.CLIENT_ADMIN, client_id=client.pk)
        demo_user(username=f"{prefix}-view", display_name=f"{name[:4]} 只读",
                  role=Role.CLIENT_VIEWER, client_id=client.pk)
        logins.append((f"{prefix}-hr", f"{Role.CLIENT_ADMIN.label} · {name}"))
    return logins
