"""Demo insurance cases (STD-4.1, 6.3): several types, one past its 48 hours, one with a
statutory deadline running, one in progress, one back-payment computed for the next bill.
Times follow now; idempotent (a demo client with cases is left alone)."""

import datetime

from django.utils import timezone

from agency.models import User
from clients.models import Client
from enrollment.cases.services import case_open, case_step_done
from enrollment.models import Case, Enrollment

DEMO = (  # client's USCC prefix, type, hours ago, description, first step done
    ("91310115MA1K4ABC0", "work_injury", 60, "员工在仓库搬运时扭伤腰部，已就医。", False),
    ("91110108MA01XYW12", "maternity", 5, "员工预产期下月，咨询生育津贴申领。", False),
    ("91440300MA5F8LMN3", "transfer_in", 40, "新入职员工从广州转入深圳，需办理养老保险转移。",
     True),
    ("91330106MA2H7PQR4", "medical_reimbursement", 20, "员工门诊费用 3,200 元申请报销。",
     False),
)


def seed() -> None:
    if Case.objects.exists():
        return
    now = timezone.now()
    for prefix, kind, hours, description, started in DEMO:
        client = Client.objects.get(uscc__startswith=prefix)
        enrolment = (Enrollment.objects.filter(client=client, status=Enrollment.Status.ACTIVE)
                     .select_related("person").order_by("pk").first())
        if enrolment is None:
            continue
        opened_at = now - datetime.timedelta(hours=hours)
        rep = client.service_rep or User.objects.get(username="rep1")
        case = case_open(
            client=client, person=enrolment.person, type=kind, description=description,
            incident_date=(timezone.localdate(opened_at) - datetime.timedelta(days=2)
                           if kind == "work_injury" else None),
            channel="portal", actor=User.objects.filter(client=client).order_by("pk").first(),
            now=opened_at)
        if started:
            first = case.steps.order_by("position").first()
            if first is not None:
                case_step_done(case=case, key=first.key, actor=rep,
                               now=opened_at + datetime.timedelta(hours=3))
