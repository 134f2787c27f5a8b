"""The people side of the standard: client revisits (回访, STD-7.4), staff training at least
every two weeks (STD-3.5.1) and a monthly assessment of every staff member (STD-3.5.2).

Services (writes, keyword-only, with an `actor`), selectors (reads) and the three watch
rules (`revisit_findings`, `training_findings`, `assessment_findings`: pure reads that
return `compliance.findings.Finding`s) live together here.

Definitions, exact:

- **Revisit due date.** For every active client with a contract in force today (status
  active, `starts_on <= today <= ends_on`): `next_revisit_due(last visit, tier)` where the
  tier is the one of the client's CURRENT headcount (`clients.models.size_tier`), so a
  client that grows into the next tier gets the shorter interval at once. A client never
  visited counts from its current contract's `starts_on`. Overdue: `due_on < today`
  (the day after `due_on`); due soon: `today <= due_on <= today + 7 days`.
- **Missing fortnight.** Consecutive training sessions on days A < B: a gap is reported
  when `B - A > 14` days; the gap is the days without training, `(A + 1, B - 1)`. From the
  last session L to today: a gap `(L + 1, today)` when `today - L > 14`. Sessions on 1 and
  15 Nov: no gap; 1 and 16 Nov: the gap (2 Nov, 15 Nov).
- **Assessed staff.** Active users with a staff role other than admin (`ASSESSED_ROLES`)
  who joined on or before the month's last day; one assessment per person per month."""

import calendar
import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from agency.deadlines import REVISIT_MONTHS, add_months, month_start, next_revisit_due
from agency.errors import Conflict, DomainError, ErrorDetail, ValidationFailed
from agency.history import record_actor
from agency.models import User
from agency.roles import STAFF_ROLES, Role
from agency.viewer import SYSTEM_VIEWER, Viewer
from clients.models import Client, Contract, SizeTier, size_tier
from clients.selectors import client_with_headcount_list
from compliance.findings import Finding
from compliance.models import Assessment, Revisit, TrainingSession

SHANGHAI = ZoneInfo("Asia/Shanghai")
REVISIT_SOON_DAYS = 7
TRAINING_INTERVAL_DAYS = 14

MANAGING_ROLES = (Role.MANAGER, Role.ADMIN)
# who records a revisit (a representative only for the clients they represent)
REVISIT_RECORD_ROLES = (Role.SERVICE_REP, Role.MANAGER, Role.ADMIN)
# who reads the revisit schedule: every staff role except archivist and finance
REVISIT_SCHEDULE_ROLES = (Role.SERVICE_REP, Role.MANAGER, Role.ADMIN)
# who is assessed every month: every staff role except the administrators
ASSESSED_ROLES = tuple(sorted(r.value for r in STAFF_ROLES if r != Role.ADMIN))

TIER_NAMES = {SizeTier.SMALL: "小微型", SizeTier.MEDIUM: "中型", SizeTier.LARGE: "大型"}


def _midnight(day: datetime.date) -> datetime.datetime:
    """00:00 of `day` in Asia/Shanghai, aware."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=SHANGHAI)


def _permission_denied(message: str) -> DomainError:
    return DomainError(code="permission_denied", message=message, status=403)


def _is_active_staff(user: User | None) -> bool:
    return user is not None and user.is_active and user.role in STAFF_ROLES


def active_staff() -> QuerySet[User]:
    """Active users with a staff role, by name (the attendees' choices)."""
    return User.objects.filter(is_active=True, role__in=sorted(STAFF_ROLES)).order_by(
        "display_name", "username")


# --- revisits (STD-7.4) -------------------------------------------------------------------


def revisit_record(
    *,
    client: Client,
    visited_on: datetime.date,
    visited_by: User,
    notes: str = "",
    client_feedback: str = "",
    actor: User | None,
    today: datetime.date | None = None,
) -> Revisit:
    """Record a visit or call to a client. A representative records only for the clients
    they represent; the visitor is an active staff member; the day is not in the future.
    The next revisit falls due from this day (`revisit_schedule`)."""
    today = today or timezone.localdate()
    if actor is not None and (actor.role not in REVISIT_RECORD_ROLES or (
            actor.role == Role.SERVICE_REP and client.service_rep_id != actor.pk)):
        raise _permission_denied(
            "只有该客户的客服专员或经理可以记录回访 / Only the client's representative or a "
            "manager records its revisits")
    errors = []
    if visited_on > today:
        errors.append(ErrorDetail("future_date", "回访日期不能晚于今天 / The visit date "
                                  "cannot be in the future", field="visited_on"))
    if not _is_active_staff(visited_by):
        errors.append(ErrorDetail("not_staff", "回访人须为在职员工 / The visitor must be an "
                                  "active staff member", field="visited_by"))
    if errors:
        raise ValidationFailed(errors)
    revisit = Revisit(client=client, visited_on=visited_on, visited_by=visited_by,
                      notes=notes.strip(), client_feedback=client_feedback.strip())
    with transaction.atomic():
        record_actor(revisit, actor)
        revisit.save()
    return revisit


@dataclass(frozen=True)
class RevisitDue:
    """A client's next revisit: from its last visit (or its contract's start) by the tier
    of its current headcount."""

    client_id: int
    client_name: str
    rep_id: int | None
    rep_name: str
    tier: SizeTier
    headcount: int
    last_visit: datetime.date | None
    due_on: datetime.date
    overdue: bool

    @property
    def interval_months(self) -> int:
        return REVISIT_MONTHS[self.tier]


def revisit_due_on(*, last_visit: datetime.date | None, contract_start: datetime.date,
                   headcount: int) -> datetime.date:
    """The next revisit: from the last visit, else from the contract's start, by the tier
    of the headcount now."""
    return next_revisit_due(last_visit or contract_start, size_tier(headcount))


def revisit_schedule(
    *,
    viewer: Viewer,
    today: datetime.date,
    search: str = "",
    tier: str = "",
    rep_id: int | None = None,
    client_id: int | None = None,
    overdue_only: bool = False,
) -> list[RevisitDue]:
    """Every active client with a contract in force today and its next revisit, the most
    urgent first. Two queries whatever the number of clients: the clients with their
    headcount, last visit and contract start annotated, then their representatives. A
    representative sees only the clients they represent; archivists, finance and clients
    see nothing."""
    if not viewer.has_role(*REVISIT_SCHEDULE_ROLES):
        return []
    if viewer.has_role(Role.SERVICE_REP):
        rep_id = viewer.user_id
    in_force = (Contract.objects.filter(client=OuterRef("pk"), status=Contract.Status.ACTIVE,
                                        starts_on__lte=today, ends_on__gte=today)
                .order_by("-starts_on").values("starts_on")[:1])
    last_visit = (Revisit.objects.filter(client=OuterRef("pk"))
                  .order_by("-visited_on").values("visited_on")[:1])
    qs = (client_with_headcount_list(viewer=viewer, search=search, tier=tier,
                                     service_rep_id=rep_id)
          .filter(is_active=True)
          .annotate(contract_start=Subquery(in_force), last_visit=Subquery(last_visit))
          .filter(contract_start__isnull=False))
    if client_id is not None:
        qs = qs.filter(pk=client_id)
    rows = list(qs.values_list("pk", "name", "service_rep_id", "headcount", "contract_start",
                               "last_visit"))
    reps = User.objects.in_bulk({r[2] for r in rows if r[2] is not None})
    out = []
    for pk, name, rep, headcount, contract_start, last in rows:
        due_on = revisit_due_on(last_visit=last, contract_start=contract_start,
                                headcount=headcount)
        if overdue_only and due_on >= today:
            continue
        out.append(RevisitDue(
            client_id=pk, client_name=name, rep_id=rep,
            rep_name=str(reps[rep]) if rep in reps else "", tier=size_tier(headcount),
            headcount=headcount, last_visit=last, due_on=due_on, overdue=due_on < today))
    out.sort(key=lambda r: (r.due_on, r.client_name, r.client_id))
    return out


def revisit_client_get(*, viewer: Viewer, pk: int) -> Client:
    """A client whose revisits the viewer reads and records: a representative only the
    clients they represent, managers and admins any; anyone else gets 404."""
    qs = Client.objects.select_related("service_rep")
    if viewer.has_role(Role.SERVICE_REP):
        qs = qs.filter(service_rep_id=viewer.user_id)
    elif not viewer.has_role(*REVISIT_SCHEDULE_ROLES):
        raise Http404
    client = qs.filter(pk=pk).first()
    if client is None:
        raise Http404
    return client


def revisit_history(*, client: Client) -> QuerySet[Revisit]:
    """A client's revisits, the newest first."""
    return Revisit.objects.filter(client=client).select_related("visited_by")


def revisit_findings(now: datetime.datetime) -> list[Finding]:
    """Watch rule (STD-7.4): a revisit due within 7 days (due_soon, to the representative)
    or past its day (overdue, escalated to the managers). A new cycle is a new subject."""
    today = timezone.localdate(now)
    soon = today + datetime.timedelta(days=REVISIT_SOON_DAYS)
    out = []
    for row in revisit_schedule(viewer=SYSTEM_VIEWER, today=today):
        if row.due_on > soon:
            continue
        overdue = row.due_on < today
        head = "客户回访逾期" if overdue else "客户回访即将到期"
        out.append(Finding(
            rule="revisit", subject_key=f"client:{row.client_id}:{row.due_on:%Y-%m-%d}",
            stage="overdue" if overdue else "due_soon", owner_id=row.rep_id,
            message=(f"{head}：{row.client_name} 应于 {row.due_on:%Y-%m-%d} 前回访"
                     f"（{TIER_NAMES[row.tier]}客户每 {row.interval_months} 个月）"),
            link=reverse("staff-revisits-client", args=[row.client_id]),
            due_at=_midnight(row.due_on), escalate=overdue, client_id=row.client_id))
    return out


# --- training (STD-3.5.1) -----------------------------------------------------------------


def _training_errors(*, held_on: datetime.date, topic: str, title: str, trainer: str,
                     attendees: list[User], today: datetime.date) -> list[ErrorDetail]:
    errors = []
    if held_on > today:
        errors.append(ErrorDetail("future_date", "培训日期不能晚于今天 / The training date "
                                  "cannot be in the future", field="held_on"))
    if topic not in TrainingSession.Topic.values:
        errors.append(ErrorDetail("invalid", "培训类别无效 / Unknown training topic",
                                  field="topic"))
    if not title.strip() or len(title.strip()) > 200:
        errors.append(ErrorDetail("invalid", "请填写培训标题（最多 200 字）/ Give a title "
                                  "(at most 200 characters)", field="title"))
    if not trainer.strip() or len(trainer.strip()) > 100:
        errors.append(ErrorDetail("invalid", "请填写讲师（最多 100 字）/ Name the trainer "
                                  "(at most 100 characters)", field="trainer"))
    if not attendees:
        errors.append(ErrorDetail("required", "请选择参训人员 / Choose the attendees",
                                  field="attendees"))
    elif not all(_is_active_staff(u) for u in attendees):
        errors.append(ErrorDetail("not_staff", "参训人员须为在职员工 / Every attendee must "
                                  "be an active staff member", field="attendees"))
    return errors


def training_record(
    *,
    held_on: datetime.date,
    topic: str,
    title: str,
    trainer: str,
    attendees: list[User],
    actor: User | None,
    today: datetime.date | None = None,
) -> TrainingSession:
    """Record a training session held (knowledge, policy or service skills) and who
    attended. Managers and admins record them."""
    today = today or timezone.localdate()
    if actor is not None and actor.role not in MANAGING_ROLES:
        raise _permission_denied("只有经理可以记录培训 / Only managers record training")
    errors = _training_errors(held_on=held_on, topic=topic, title=title, trainer=trainer,
                              attendees=attendees, today=today)
    if errors:
        raise ValidationFailed(errors)
    session = TrainingSession(held_on=held_on, topic=topic, title=title.strip(),
                              trainer=trainer.strip())
    with transaction.atomic():
        record_actor(session, actor)
        session.save()
        session.attendees.set(attendees)
    return session


def training_list() -> QuerySet[TrainingSession]:
    """Training sessions, the newest first, with their attendees."""
    return TrainingSession.objects.prefetch_related(Prefetch(
        "attendees", queryset=User.objects.order_by("display_name", "username", "pk")))


def training_gaps(*, since: datetime.date, today: datetime.date) -> list[tuple[datetime.date,
                                                                              datetime.date]]:
    """The missing fortnights that end on or after `since`: (first day, last day) without
    training, oldest first. Two consecutive sessions more than 14 days apart leave a gap
    between them; the last session more than 14 days before `today` leaves a gap up to
    today. Counting starts at the last session before `since`, else at `since` itself
    (as if a session had been held the day before)."""
    before = (TrainingSession.objects.filter(held_on__lt=since).order_by("-held_on")
              .values_list("held_on", flat=True).first())
    held = list(TrainingSession.objects.filter(held_on__gte=since, held_on__lte=today)
                .order_by("held_on").values_list("held_on", flat=True).distinct())
    anchor = before or since - datetime.timedelta(days=1)
    limit = datetime.timedelta(days=TRAINING_INTERVAL_DAYS)
    gaps = []
    for day in held:
        if day - anchor > limit:
            gaps.append((anchor + datetime.timedelta(days=1), day - datetime.timedelta(days=1)))
        anchor = day
    if today - anchor > limit:
        gaps.append((anchor + datetime.timedelta(days=1), today))
    return gaps


def _training_start() -> datetime.date | None:
    """Without any session, counting starts the day the first active staff member joined."""
    joined = (User.objects.filter(is_active=True, role__in=sorted(STAFF_ROLES))
              .order_by("date_joined").values_list("date_joined", flat=True).first())
    return timezone.localdate(joined) if joined is not None else None


def training_findings(now: datetime.datetime) -> list[Finding]:
    """Watch rule (STD-3.5.1): no training for more than 14 days. One finding per gap,
    named by its first day without training, to the managers."""
    today = timezone.localdate(now)
    last = (TrainingSession.objects.filter(held_on__lte=today).order_by("-held_on")
            .values_list("held_on", flat=True).first())
    if last is not None:
        first_day = last + datetime.timedelta(days=1)
    else:
        start = _training_start()
        if start is None:
            return []
        first_day = start
    days = (today - first_day).days + 1
    if days <= TRAINING_INTERVAL_DAYS:
        return []
    due_on = first_day + datetime.timedelta(days=TRAINING_INTERVAL_DAYS - 1)
    return [Finding(
        rule="training_gap", subject_key=f"training:{first_day:%Y-%m-%d}", stage="gap",
        owner_id=None,
        message=(f"员工培训中断：自 {first_day:%Y-%m-%d} 起已 {days} 天未培训"
                 f"（每两周至少一次）"),
        link=reverse("staff-trainings-list"), due_at=_midnight(due_on))]


# --- monthly assessment (STD-3.5.2) -------------------------------------------------------


def _assessment_errors(*, staff: User, month: datetime.date, score: int, outcome: str,
                       actor: User | None, today: datetime.date) -> list[ErrorDetail]:
    errors = []
    if not (staff.is_active and staff.role in ASSESSED_ROLES):
        errors.append(ErrorDetail("not_assessed", "被考核人须为在职员工（管理员除外）/ Only "
                                  "active staff members (not administrators) are assessed",
                                  field="staff"))
    elif actor is not None and actor.pk == staff.pk:
        errors.append(ErrorDetail("self_assessment", "不能考核自己 / You cannot assess "
                                  "yourself", field="staff"))
    if month > month_start(today):
        errors.append(ErrorDetail("future_month", "不能考核未来的月份 / The month cannot be "
                                  "in the future", field="month"))
    if not 0 <= score <= 100:
        errors.append(ErrorDetail("out_of_range", "分数须在 0 到 100 之间 / The score must "
                                  "be between 0 and 100", field="score"))
    if outcome not in Assessment.Outcome.values:
        errors.append(ErrorDetail("invalid", "奖惩结果无效 / Unknown reward or penalty",
                                  field="outcome"))
    return errors


def _assessment_exists() -> Conflict:
    error = Conflict("assessment_exists",
                     "该员工本月已考核 / This staff member is already assessed for the month")
    error.details = [ErrorDetail("duplicate", "该员工本月已考核 / This staff member is "
                                 "already assessed for the month", field="month")]
    return error


def assessment_record(
    *,
    staff: User,
    month: datetime.date,
    score: int,
    outcome: str,
    note: str = "",
    actor: User | None,
    today: datetime.date | None = None,
) -> Assessment:
    """Record a staff member's assessment for a month (normalised to its first day): a
    score from 0 to 100 and a reward, a penalty or neither. One per person and month (a
    second is a conflict on `month`); managers and admins assess, never themselves."""
    today = today or timezone.localdate()
    if actor is not None and actor.role not in MANAGING_ROLES:
        raise _permission_denied("只有经理可以考核员工 / Only managers assess staff")
    month = month_start(month)
    errors = _assessment_errors(staff=staff, month=month, score=score, outcome=outcome,
                                actor=actor, today=today)
    if errors:
        raise ValidationFailed(errors)
    if Assessment.objects.filter(staff=staff, month=month).exists():
        raise _assessment_exists()
    assessment = Assessment(staff=staff, month=month, score=score, outcome=outcome,
                            note=note.strip(), assessed_by=actor)
    try:
        with transaction.atomic():
            record_actor(assessment, actor)
            assessment.save()
    except IntegrityError:  # recorded concurrently
        raise _assessment_exists() from None
    return assessment


def assessed_staff(*, month: datetime.date) -> QuerySet[User]:
    """The staff to assess for `month`: active, a staff role other than admin, joined on
    or before the month's last day (Asia/Shanghai)."""
    first = month_start(month)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return (User.objects.filter(is_active=True, role__in=ASSESSED_ROLES,
                                date_joined__date__lte=last)
            .order_by("display_name", "username", "pk"))


def assessment_gaps(*, month: datetime.date) -> list[User]:
    """The staff to assess for `month` who have no assessment for it."""
    month = month_start(month)
    return list(assessed_staff(month=month).exclude(assessments__month=month))


def assessment_sheet(*, month: datetime.date) -> list[tuple[User, Assessment | None]]:
    """Every staff member to assess for `month` (and anyone assessed for it) beside their
    assessment, or None when it is missing: two queries."""
    month = month_start(month)
    done = {a.staff_id: a for a in Assessment.objects.filter(month=month)
            .select_related("staff", "assessed_by")}
    people = list(assessed_staff(month=month))
    seen = {u.pk for u in people}
    people += [a.staff for a in done.values() if a.staff_id not in seen]
    return [(user, done.get(user.pk)) for user in people]


def assessment_findings(now: datetime.datetime) -> list[Finding]:
    """Watch rule (STD-3.5.2): from the 1st of a month, every staff member without an
    assessment for the previous month, to the managers."""
    today = timezone.localdate(now)
    this_month = month_start(today)
    month = add_months(this_month, -1)
    link = f"{reverse('staff-assessments-list')}?month={month:%Y-%m}"
    return [Finding(
        rule="assessment_gap", subject_key=f"assessment:{user.pk}:{month:%Y-%m}",
        stage="missing", owner_id=None,
        message=f"员工月度考核缺失：{user} 尚无 {month:%Y-%m} 的考核",
        link=link, due_at=_midnight(this_month)) for user in assessment_gaps(month=month)]
