"""Demo data of the agency app: one staff user per role, their qualifications (one
service representative does not qualify) and the agency's licences (one expiring soon).
Deterministic and idempotent; dates follow today so that warnings stay visible."""

import datetime

from django.utils import timezone

from agency.models import Licence, StaffProfile, User
from agency.roles import Role
from agency.services import licence_save, staff_profile_save

DEMO_PASSWORD = "demo-pass-2026"

# a 1×1 PNG and a one-page PDF: small, real files for the demo papers
DEMO_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2265bf60000000049454e44ae426082"
)
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


STAFF = [
    ("admin", "系统管理员 王强", Role.ADMIN),
    ("manager", "业务经理 李娜", Role.MANAGER),
    ("rep1", "客服专员 张伟", Role.SERVICE_REP),
    ("rep2", "客服专员 刘洋", Role.SERVICE_REP),
    ("rep3", "见习客服 孙悦", Role.SERVICE_REP),  # does not qualify (STD-3.2)
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


# username -> (education, HR experience since, certificate number); rep3 lacks all three
PROFILES = {
    "admin": (StaffProfile.Education.MASTER, datetime.date(2012, 7, 1), "RZ2012310001"),
    "manager": (StaffProfile.Education.BACHELOR, datetime.date(2015, 3, 1), "RZ2015310023"),
    "rep1": (StaffProfile.Education.BACHELOR, datetime.date(2019, 9, 1), "RZ2019310105"),
    "rep2": (StaffProfile.Education.COLLEGE, datetime.date(2021, 4, 1), "RZ2021310217"),
    "rep3": (StaffProfile.Education.BELOW_COLLEGE, None, ""),
    "finance": (StaffProfile.Education.BACHELOR, datetime.date(2018, 2, 1), "RZ2018310066"),
    "archivist": (StaffProfile.Education.COLLEGE, datetime.date(2020, 6, 1), "RZ2020310090"),
}

HR_LICENCE_NUMBER = "（沪）人服证字〔2024〕第310115202400018号"
DISPATCH_LICENCE_NUMBER = "（沪）劳派证字〔2023〕第310115000312号"


def seed_licences(*, actor: User) -> None:
    today = timezone.localdate()
    licences = [
        (Licence.Kind.HR_SERVICE, HR_LICENCE_NUMBER, datetime.date(2024, 3, 1),
         datetime.date(2029, 2, 28)),
        # expires in 45 days: the licence page warns
        (Licence.Kind.LABOUR_DISPATCH, DISPATCH_LICENCE_NUMBER, datetime.date(2023, 6, 1),
         today + datetime.timedelta(days=45)),
    ]
    for kind, number, valid_from, valid_to in licences:
        licence_save(licence=Licence.objects.filter(number=number).first(), kind=kind,
                     number=number, authority="上海市浦东新区人力资源和社会保障局",
                     valid_from=valid_from, valid_to=valid_to, actor=actor)


def seed() -> list[tuple[str, str]]:
    """Returns (username, role label) of the logins it made or found."""
    out = []
    users = {}
    for username, name, role in STAFF:
        users[username] = demo_user(username=username, display_name=name, role=role)
        out.append((username, str(Role(role).label)))
    certificate_until = timezone.localdate().replace(month=12, day=31) + datetime.timedelta(
        days=365 * 2)
    for username, (education, since, certificate) in PROFILES.items():
        staff_profile_save(user=users[username], education=education, hr_experience_since=since,
                           certificate_number=certificate,
                           certificate_valid_until=certificate_until if certificate else None,
                           actor=users["admin"])
    seed_licences(actor=users["admin"])
    return out
