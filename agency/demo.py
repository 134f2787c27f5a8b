"""Demo data of the agency app: one staff user per role. Deterministic and idempotent."""

from agency.models import User
from agency.roles import Role

DEMO_PASSWORD = "demo-pass-2026"

STAFF = [
    ("admin", "系统管理员 王强", Role.ADMIN),
    ("manager", "业务经理 李娜", Role.MANAGER),
    ("rep1", "客服专员 张伟", Role.SERVICE_REP),
    ("rep2", "客服专员 刘洋", Role.SERVICE_REP),
    ("finance", "财务 陈静", Role.FINANCE),
    ("archivist", "档案管理员 杨帆", Role.ARCHIVIST),
]


def demo_user(*, username: str, display_name: str, role: str, client_id: int | None = None) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"display_name": display_name, "role": role, "client_id": client_id},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        if role == Role.ADMIN:
            user.is_staff = True
            user.is_superuser = True
        user.save()
    return user


def seed() -> list[tuple[str, str]]:
    """Returns (username, role label) of the logins it made or found."""
    out = []
    for username, name, role in STAFF:
        demo_user(username=username, display_name=name, role=role)
        out.append((username, str(Role(role).label)))
    return out
