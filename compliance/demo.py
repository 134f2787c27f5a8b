"""Demo of the service side and the watch, so the dashboard a new user opens is full:
an inquiry past its 12 hours, one about to breach, one answered (with feedback), a
complaint with a corrective action, an overdue revisit, a missing training fortnight and a
staff member left unassessed last month. Times follow now; idempotent (keyed on subjects).
Runs last: the watch's first run turns the findings into reminders."""

import datetime

from django.utils import timezone

from agency.deadlines import add_months, month_start
from agency.models import User
from clients.models import Client
from compliance.models import Assessment, Inquiry, Revisit, TrainingSession
from compliance.people import assessment_record, revisit_record, training_record
from compliance.service_desk import (
    complaint_add_action,
    complaint_investigate,
    complaint_open,
    feedback_give,
    inquiry_close,
    inquiry_open,
    inquiry_reply,
)
from compliance.watch import watch_run

LATE = "2027 年社保基数何时调整？"


def _client(prefix: str) -> Client:
    return Client.objects.get(uscc__startswith=prefix)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def seed() -> None:
    if Inquiry.objects.filter(subject=LATE).exists():
        watch_run()
        return
    now = timezone.now()
    qiming, huatai = _client("91310115MA1K4ABC0"), _client("91110108MA01XYW12")
    yunfan, xixi = _client("91440300MA5F8LMN3"), _client("91330106MA2H7PQR4")
    rep1, rep2, manager = _user("rep1"), _user("rep2"), _user("manager")
    _seed_inquiries(now, qiming, huatai, xixi, rep1, rep2)
    _seed_complaint(now, yunfan, rep2, manager)
    _seed_revisits(now, (qiming, huatai, yunfan, xixi), rep1, rep2)
    _seed_training(now, manager)
    watch_run(now=now)


def _seed_inquiries(now: datetime.datetime, qiming: Client, huatai: Client, xixi: Client,
                    rep1: User, rep2: User) -> None:
    hr = _user("qiming-hr")
    inquiry_open(client=qiming, subject=LATE, channel="portal", actor=hr,
                 body="请问 2027 年度上海社保缴费基数什么时候开始调整？我们需要提前做预算。",
                 now=now - datetime.timedelta(hours=15))
    inquiry_open(client=qiming, subject="新员工户口本材料要求", channel="phone", actor=rep1,
                 actor_label="周敏（电话）",
                 body="新入职员工是外地农业户口，需要提供户口本哪几页？",
                 now=now - datetime.timedelta(hours=11))
    answered = inquiry_open(client=huatai, subject="北京公积金比例能否调整为 10%",
                            channel="portal", actor=_user("huatai-hr"),
                            body="我们想把公积金缴存比例从 7% 调到 10%，需要什么手续？",
                            now=now - datetime.timedelta(hours=30))
    inquiry_reply(inquiry=answered, actor=rep2, from_client=False,
                  body="可以调整，需在每年 7 月年度调整期内提交单位缴存比例调整申请，"
                       "我们代为办理。",
                  now=now - datetime.timedelta(hours=26))
    inquiry_close(inquiry=answered, actor=rep2, now=now - datetime.timedelta(hours=20))
    feedback_give(client=huatai, about="inquiry", about_id=answered.pk, score=5,
                  comment="回复及时，解释清楚。", actor=_user("huatai-hr"))
    inquiry_open(client=xixi, subject="门店兼职人员能否参保", channel="email", actor=rep1,
                 actor_label="沈芳（邮件）",
                 body="门店兼职人员每周工作 20 小时，能否参加工伤保险？",
                 now=now - datetime.timedelta(hours=2))


def _seed_complaint(now: datetime.datetime, yunfan: Client, rep2: User, manager: User) -> None:
    complaint = complaint_open(
        client=yunfan, subject="10 月增员未按时办理", channel="portal",
        actor=_user("yunfan-hr"),
        body="10 月 8 日提交的 3 名增员到 10 月底仍未办理，员工无法就医报销。",
        now=now - datetime.timedelta(days=3))
    complaint_investigate(complaint=complaint, actor=manager,
                          findings="派单在材料缺失状态停留 5 天，未及时提醒客户补交材料。",
                          now=now - datetime.timedelta(days=3) + datetime.timedelta(hours=20))
    complaint_add_action(complaint=complaint, owner=rep2, actor=manager,
                         description="材料缺失超过 24 小时的派单每日电话提醒客户，并在工作台置顶。",
                         due_on=timezone.localdate(now) + datetime.timedelta(days=5))


def _seed_revisits(now: datetime.datetime, clients: tuple[Client, ...], rep1: User,
                   rep2: User) -> None:
    """启明 (large, every 2 months) was last visited 3 months ago: overdue; the others
    recently."""
    today = timezone.localdate(now)
    qiming, huatai, yunfan, xixi = clients
    visits = [(qiming, add_months(today, -3), rep1), (huatai, today - datetime.timedelta(days=20),
                                                      rep2),
              (yunfan, today - datetime.timedelta(days=40), rep2),
              (xixi, today - datetime.timedelta(days=60), rep1)]
    for client, day, rep in visits:
        if Revisit.objects.filter(client=client).exists():
            continue
        revisit = revisit_record(client=client, visited_on=day, visited_by=rep, actor=rep,
                                 notes="了解用工计划与参保需求，介绍本年度政策变化。",
                                 client_feedback="对服务总体满意，希望月度账单更早发出。")
        if client == huatai:
            feedback_give(client=client, about="revisit", about_id=revisit.pk, score=4,
                          comment="希望账单提前两天发出。", actor=_user("huatai-hr"))


def _seed_training(now: datetime.datetime, manager: User) -> None:
    """Sessions 40 and 22 days ago: no session in the last fortnight (a finding); every
    staff member assessed last month except the archivist (a finding)."""
    today = timezone.localdate(now)
    staff = list(User.objects.filter(username__in=["rep1", "rep2", "finance", "archivist",
                                                    "manager"]).order_by("username"))
    if not TrainingSession.objects.exists():
        training_record(held_on=today - datetime.timedelta(days=40), topic="policy",
                        title="2026 年上海社保基数调整解读", trainer="李娜",
                        attendees=staff, actor=manager)
        training_record(held_on=today - datetime.timedelta(days=22), topic="service_skills",
                        title="客户咨询 12 小时响应规范", trainer="李娜",
                        attendees=staff, actor=manager)
    last_month = add_months(month_start(today), -1)
    scores = {"rep1": 92, "rep2": 85, "finance": 88, "manager": 90}
    for user in staff:
        if user.username in scores and not Assessment.objects.filter(
                staff=user, month=last_month).exists():
            assessment_record(staff=user, month=last_month, score=scores[user.username],
                              outcome="reward" if scores[user.username] >= 90 else "none",
                              note="按时完成当月派单与回访。", actor=_user("admin"))
