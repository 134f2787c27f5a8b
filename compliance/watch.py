"""The compliance watch: the rules that find deadlines about to breach or breached across the
apps, and the engine that turns their findings into reminders sent exactly once.

Rules (each `(now) -> list[Finding]`, pure reads over indexed columns, open items only):

| rule                     | clause    | stages                              | owner (None: below) |
|--------------------------|-----------|-------------------------------------|---------------------|
| inquiry_response         | 6.2       | due_soon (2 h before), breached     | assignee, else rep  |
| complaint_handling       | 6.3, 7.3  | due_soon (6 h before), breached     | assignee, else rep  |
| corrective_action        | 7.3       | overdue (the day after its due day) | the action's owner  |
| line_handling            | 6.3       | due_soon (6 h before), breached     | the client's rep    |
| archive_filing           | 5.3       | due_today (15th), overdue (16th on) | None: archivists    |
| contract_expiry          | 5.2       | 60d, 30d, 7d, 0d                    | the client's rep    |
| licence_expiry           | 3.1       | 60d, 30d, 7d, 0d, expired           | None: managers      |
| staff_certificate_expiry | 3.2       | 60d, 30d, 7d, 0d, expired           | the staff member    |
| invoice_due              | 4.5       | overdue                             | None: finance       |
| rep_overload             | 3.2.4     | over (once a month while it lasts)  | None: managers      |
| workday_calendar         | 4.5, 5.3  | missing (next year: from 1 Nov)     | None: admins        |

A breached or overdue finding (`escalate`) also goes to the managers. A finding with no
owner (or whose owner is no longer an active staff user) goes to the rule's audience
(`AUDIENCE`: archivists for filing, finance for invoices, admins for the calendar, else the
managers); a role nobody holds falls back to the managers, then to the admins.

The engine (`watch_run`) sends each (rule, subject, stage, recipient) once, however often
and however concurrently it runs: rows are inserted with `INSERT … ON CONFLICT DO NOTHING
RETURNING`, so only the run whose insert went through (PostgreSQL makes a second inserter
of the same key wait for the first to commit, then skip it) creates the in-app
notification and queues the e-mail. E-mails leave after the commit, one per recipient
(several new reminders are listed in one e-mail, not one e-mail each); a reminder's
`emailed_at` is set when its e-mail was handed to the mail server, under a row lock
(`SKIP LOCKED`), so two runs never send the same one twice and a failed send is retried by
the next run (for a day)."""

import datetime
import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agency.deadlines import filing_due
from agency.models import Licence, Notification, StaffProfile, User
from agency.roles import STAFF_ROLES, Role
from agency.viewer import SYSTEM_VIEWER
from archive.selectors import due_today, overdue_unfiled
from billing.selectors import invoice_overdue_list
from clients.models import Contract
from clients.selectors import rep_load_list
from clients.services import MAX_PERSONS_PER_REP
from compliance.findings import Finding, Rule
from compliance.models import Complaint, CorrectiveAction, Inquiry, Reminder
from compliance.people import assessment_findings, revisit_findings, training_findings
from compliance.selectors import workday_calendar_gaps
from enrollment.models import (
    OPEN_CASE_STATUSES,
    OPEN_LINE_STATUSES,
    Case,
    CaseType,
    LineAction,
    RosterLine,
)

logger = logging.getLogger(__name__)

INQUIRY_WARNING = datetime.timedelta(hours=2)  # before the 12 hours are up (STD-6.2)
HANDLING_WARNING = datetime.timedelta(hours=6)  # before the 48 hours are up (STD-6.3)
LEAD_DAYS = (60, 30, 7, 0)  # expiry reminders (STD-5.2, 3.1, 3.2)
CALENDAR_NOTICE_MONTH = 11  # next year's holidays are published around November
EMAIL_RETRY = datetime.timedelta(days=1)  # a failed e-mail is retried this long
INSERT_BATCH = 2000
EMAIL_LOCK = 0x5742_454D  # the reminder sender's advisory lock ('WBEM')
SQLITE_BATCH = 800  # bound variables per statement, well under SQLite's limit


# --- helpers -----------------------------------------------------------------------------

def _tz() -> datetime.tzinfo:
    return timezone.get_default_timezone()  # Asia/Shanghai, whatever a request activated


def _today(now: datetime.datetime) -> datetime.date:
    return timezone.localdate(now, _tz())


def _end_of(day: datetime.date) -> datetime.datetime:
    """The last instant of `day` in Asia/Shanghai: a date deadline as a moment."""
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=_tz())


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=_tz())


def _at(moment: datetime.datetime) -> str:
    return timezone.localtime(moment, _tz()).strftime("%Y-%m-%d %H:%M")


def lead_stage(days_left: int) -> str | None:
    """The shortest lead time reached ("60d", "30d", "7d", "0d"), None before 60 days and
    after the day itself."""
    if days_left < 0:
        return None
    reached = [d for d in LEAD_DAYS if days_left <= d]
    return f"{min(reached)}d" if reached else None


def _clock_stage(due: datetime.datetime, now: datetime.datetime) -> tuple[str, bool]:
    """Past the deadline: breached (escalated); else due soon."""
    return ("breached", True) if due < now else ("due_soon", False)


# --- the rules ---------------------------------------------------------------------------

def inquiry_response(now: datetime.datetime) -> list[Finding]:
    """STD-6.2: an open inquiry with no first response, 2 hours before its 12 are up (due
    soon) and after (breached). Uses the index (status, respond_by). Owner: the assignee
    while active, else the client's representative."""
    rows = (Inquiry.objects.filter(status=Inquiry.Status.OPEN, first_response_at__isnull=True,
                                   respond_by__lte=now + INQUIRY_WARNING)
            .order_by().values_list("pk", "subject", "respond_by", "client_id",
                                    "client__name", "assignee_id", "assignee__is_active",
                                    "client__service_rep_id"))
    out = []
    for pk, subject, due, client_id, client_name, assignee_id, active, rep_id in rows:
        stage, escalate = _clock_stage(due, now)
        values = {"subject": subject, "client": client_name, "due": _at(due)}
        message = (_("Inquiry “%(subject)s” from %(client)s was due for an answer at "
                     "%(due)s: the 12-hour limit is breached.") if escalate else
                   _("Inquiry “%(subject)s” from %(client)s must be answered by %(due)s."))
        out.append(Finding(rule="inquiry_response", subject_key=f"inquiry:{pk}", stage=stage,
                           owner_id=assignee_id if active else rep_id, message=message % values,
                           link=f"/staff/inquiries/{pk}/", due_at=due, escalate=escalate,
                           client_id=client_id))
    return out


STATUTORY_WARNING_DAYS = 7  # a statutory deadline (工伤认定: injury + 30 days): a week ahead


def case_handling(now: datetime.datetime) -> list[Finding]:
    """STD-6.3: an open insurance case with no substantive action yet, 6 hours before its
    48 are up (due soon) and after (breached, escalated). Uses the index (status,
    handle_by). Owner: the assignee while active, else the client's representative."""
    rows = (Case.objects.filter(status__in=OPEN_CASE_STATUSES, first_action_at__isnull=True,
                                handle_by__lte=now + HANDLING_WARNING)
            .order_by().values_list("pk", "type", "handle_by", "client_id", "client__name",
                                    "assignee_id", "assignee__is_active",
                                    "client__service_rep_id"))
    out = []
    for pk, kind, due, client_id, client_name, assignee_id, active, rep_id in rows:
        stage, escalate = _clock_stage(due, now)
        values = {"pk": pk, "type": CaseType(kind).label, "client": client_name,
                  "due": _at(due)}
        message = (_("Case #%(pk)s (%(type)s) of %(client)s was due for handling at "
                     "%(due)s: the 48-hour limit is breached.") if escalate else
                   _("Case #%(pk)s (%(type)s) of %(client)s must be handled by %(due)s."))
        out.append(Finding(rule="case_handling", subject_key=f"case:{pk}", stage=stage,
                           owner_id=assignee_id if active else rep_id, message=message % values,
                           link=f"/staff/cases/{pk}/", due_at=due, escalate=escalate,
                           client_id=client_id))
    return out


def case_statutory(now: datetime.datetime) -> list[Finding]:
    """A statutory deadline of an open case (a work injury's 工伤认定 application, 30 days
    after the injury): a week ahead ("7d"), on the day ("0d") and after ("overdue",
    escalated). Uses the index (status, statutory_due)."""
    today = _today(now)
    rows = (Case.objects.filter(status__in=OPEN_CASE_STATUSES, statutory_due__isnull=False,
                                statutory_due__lte=today + datetime.timedelta(
                                    days=STATUTORY_WARNING_DAYS))
            .order_by().values_list("pk", "type", "statutory_due", "client_id",
                                    "client__name", "assignee_id", "assignee__is_active",
                                    "client__service_rep_id"))
    out = []
    for pk, kind, due, client_id, client_name, assignee_id, active, rep_id in rows:
        if due is None:  # excluded by the query; for the type checker
            continue
        days = (due - today).days
        stage = "overdue" if days < 0 else ("0d" if days == 0 else "7d")
        values = {"pk": pk, "type": CaseType(kind).label, "client": client_name,
                  "due": f"{due:%Y-%m-%d}"}
        message = (_("Case #%(pk)s (%(type)s) of %(client)s: the statutory deadline "
                     "%(due)s has passed.") if days < 0 else
                   _("Case #%(pk)s (%(type)s) of %(client)s: the statutory deadline is "
                     "%(due)s."))
        out.append(Finding(rule="case_statutory", subject_key=f"case:{pk}", stage=stage,
                           owner_id=assignee_id if active else rep_id, message=message % values,
                           link=f"/staff/cases/{pk}/", due_at=_end_of(due),
                           escalate=days < 0, client_id=client_id))
    return out


def complaint_handling(now: datetime.datetime) -> list[Finding]:
    """STD-6.3 / 7.3: a complaint still `received` with no first action, 6 hours before its
    48 are up and after. Uses the index (status, handle_by)."""
    rows = (Complaint.objects.filter(status=Complaint.Status.RECEIVED,
                                     first_action_at__isnull=True,
                                     handle_by__lte=now + HANDLING_WARNING)
            .order_by().values_list("pk", "subject", "handle_by", "client_id", "client__name",
                                    "assignee_id", "assignee__is_active",
                                    "client__service_rep_id"))
    out = []
    for pk, subject, due, client_id, client_name, assignee_id, active, rep_id in rows:
        stage, escalate = _clock_stage(due, now)
        values = {"subject": subject, "client": client_name, "due": _at(due)}
        message = (_("Complaint “%(subject)s” from %(client)s was due for handling at "
                     "%(due)s: the 48-hour limit is breached.") if escalate else
                   _("Complaint “%(subject)s” from %(client)s must be handled by %(due)s."))
        out.append(Finding(rule="complaint_handling", subject_key=f"complaint:{pk}",
                           stage=stage, owner_id=assignee_id if active else rep_id,
                           message=message % values, link=f"/staff/complaints/{pk}/",
                           due_at=due, escalate=escalate, client_id=client_id))
    return out


def corrective_action(now: datetime.datetime) -> list[Finding]:
    """STD-7.3: a corrective action not done after its due date (of a complaint not yet
    closed), to its owner and the managers."""
    today = _today(now)
    rows = (CorrectiveAction.objects.filter(done_at__isnull=True, due_on__lt=today)
            .exclude(complaint__status=Complaint.Status.CLOSED)
            .order_by().values_list("pk", "complaint_id", "complaint__subject",
                                    "complaint__client_id", "complaint__client__name",
                                    "owner_id", "due_on"))
    return [
        Finding(rule="corrective_action", subject_key=f"action:{pk}", stage="overdue",
                owner_id=owner_id,
                message=_("A corrective action for complaint “%(subject)s” from %(client)s "
                          "was due on %(due)s and is not done.") % {
                    "subject": subject, "client": client_name, "due": due_on.isoformat()},
                link=f"/staff/complaints/{complaint_id}/", due_at=_end_of(due_on),
                escalate=True, client_id=client_id)
        for pk, complaint_id, subject, client_id, client_name, owner_id, due_on in rows
    ]


def line_query(now: datetime.datetime) -> "QuerySet[RosterLine, tuple[Any, ...]]":
    """The open roster lines due within 6 hours or past due (the bench EXPLAINs it)."""
    return (RosterLine.objects.filter(status__in=OPEN_LINE_STATUSES,
                                      handle_by__lte=now + HANDLING_WARNING)
            .order_by().values_list("pk", "order_id", "line_no", "name", "action", "handle_by",
                                    "order__client_id", "order__client__name",
                                    "order__client__service_rep_id"))


def line_handling(now: datetime.datetime) -> list[Finding]:
    """STD-6.3: a roster line still in the workflow 6 hours before its 48 are up (due soon)
    and after (breached), to the client's representative (the managers too once
    breached)."""
    out = []
    due_soon = _("Roster line %(order)s/%(line)s (%(action)s, %(name)s) of %(client)s must "
                 "be handled by %(due)s.")
    breached = _("Roster line %(order)s/%(line)s (%(action)s, %(name)s) of %(client)s was "
                 "due at %(due)s: the 48-hour limit is breached.")
    labels = {value: str(label) for value, label in LineAction.choices}
    base = reverse("staff-orders-line", args=[0]).removesuffix("0/")  # …/orders/lines/
    for pk, order_id, line_no, name, action, due, client_id, client_name, rep_id in (
            line_query(now)):
        stage, escalate = _clock_stage(due, now)
        values = {"order": order_id, "line": line_no, "action": labels.get(action, action),
                  "name": name, "client": client_name, "due": _at(due)}
        out.append(Finding(rule="line_handling", subject_key=f"line:{pk}", stage=stage,
                           owner_id=rep_id,
                           message=(breached if escalate else due_soon) % values,
                           link=f"{base}{pk}/", due_at=due, escalate=escalate,
                           client_id=client_id))
    return out


def archive_filing(now: datetime.datetime) -> list[Finding]:
    """STD-5.3: one finding per month whose papers are not all filed: on the 15th of the
    next month (due today) and from the 16th (overdue, escalated). To the archivists."""
    today = _today(now)
    out = []
    for stage, qs in (("due_today", due_today(today=today)),
                      ("overdue", overdue_unfiled(today=today))):
        for row in qs.order_by().values("month").annotate(n=Count("pk")).order_by("month"):
            month, n = row["month"], row["n"]
            values = {"month": f"{month:%Y-%m}", "n": n,
                      "due": filing_due(month).isoformat()}
            message = (_("%(n)s papers of %(month)s are not filed; they were due on "
                         "%(due)s.") if stage == "overdue" else
                       _("%(n)s papers of %(month)s are not filed yet; they are due "
                         "today (%(due)s)."))
            out.append(Finding(rule="archive_filing", subject_key=f"archive:{month:%Y-%m}",
                               stage=stage, owner_id=None, message=message % values,
                               link=f"{reverse('staff-archive')}?month={month:%Y-%m}",
                               due_at=_end_of(filing_due(month)),
                               escalate=stage == "overdue"))
    return out


def contract_expiry(now: datetime.datetime) -> list[Finding]:
    """STD-5.2: an active contract ending in 60, 30, 7 days and on the day (the shortest
    lead time reached), to the client's representative (else the managers). Uses the
    index (status, ends_on). Replaces `clients.services.contract_reminders_send`."""
    today = _today(now)
    rows = (Contract.objects.filter(status=Contract.Status.ACTIVE, ends_on__gte=today,
                                    ends_on__lte=today + datetime.timedelta(days=LEAD_DAYS[0]))
            .order_by().values_list("pk", "number", "ends_on", "client_id", "client__name",
                                    "client__service_rep_id"))
    out = []
    for pk, number, ends_on, client_id, client_name, rep_id in rows:
        days = (ends_on - today).days
        stage = lead_stage(days)
        if stage is None:
            continue
        out.append(Finding(
            rule="contract_expiry", subject_key=f"contract:{pk}", stage=stage, owner_id=rep_id,
            message=_("Contract %(number)s of %(client)s ends on %(date)s (%(days)s days "
                      "left).") % {"number": number, "client": client_name,
                                   "date": ends_on.isoformat(), "days": days},
            link=reverse("staff-contracts-detail", args=[pk]), due_at=_end_of(ends_on),
            client_id=client_id))
    return out


def licence_expiry(now: datetime.datetime) -> list[Finding]:
    """STD-3.1: the agency's newest licence of each kind ending in 60/30/7 days and on the
    day; past its end, expired (escalated). An older licence a newer one replaced is not
    reminded of. To the managers."""
    today = _today(now)
    newest: dict[str, Licence] = {}
    for licence in Licence.objects.order_by("kind", "-valid_to", "-pk"):
        newest.setdefault(licence.kind, licence)
    out = []
    for licence in newest.values():
        days = (licence.valid_to - today).days
        stage = "expired" if days < 0 else lead_stage(days)
        if stage is None:
            continue
        values = {"licence": str(licence), "date": licence.valid_to.isoformat(), "days": days}
        message = (_("The %(licence)s expired on %(date)s.") if days < 0 else
                   _("The %(licence)s expires on %(date)s (%(days)s days left)."))
        out.append(Finding(rule="licence_expiry", subject_key=f"licence:{licence.pk}",
                           stage=stage, owner_id=None, message=message % values,
                           link=reverse("staff-licences-edit", args=[licence.pk]),
                           due_at=_end_of(licence.valid_to), escalate=days < 0))
    return out


def staff_certificate_expiry(now: datetime.datetime) -> list[Finding]:
    """STD-3.2: an active staff member's practitioner certificate ending in 60/30/7 days
    and on the day (the managers too on the day), and once it has expired."""
    today = _today(now)
    rows = (StaffProfile.objects.filter(
        user__is_active=True, user__role__in=sorted(STAFF_ROLES),
        certificate_valid_until__lte=today + datetime.timedelta(days=LEAD_DAYS[0]))
        .order_by().values_list("user_id", "user__display_name", "user__username",
                                "certificate_number", "certificate_valid_until"))
    out = []
    for user_id, display_name, username, number, valid_until in rows:
        if valid_until is None:
            continue
        days = (valid_until - today).days
        stage = "expired" if days < 0 else lead_stage(days)
        if stage is None:
            continue
        values = {"name": display_name or username, "number": number or "-",
                  "date": valid_until.isoformat(), "days": days}
        message = (_("The HR practitioner certificate %(number)s of %(name)s expired on "
                     "%(date)s.") if days < 0 else
                   _("The HR practitioner certificate %(number)s of %(name)s expires on "
                     "%(date)s (%(days)s days left)."))
        out.append(Finding(rule="staff_certificate_expiry", subject_key=f"staff:{user_id}",
                           stage=stage, owner_id=user_id, message=message % values,
                           link=reverse("staff-profiles-edit", args=[user_id]),
                           due_at=_end_of(valid_until), escalate=stage in ("0d", "expired")))
    return out


def invoice_due(now: datetime.datetime) -> list[Finding]:
    """STD-4.5: a bill paid in full and not invoiced within 10 working days of the payment
    (`Bill.invoice_due_by`), to finance and the managers."""
    today = _today(now)
    out = []
    for bill in invoice_overdue_list(viewer=SYSTEM_VIEWER, today=today):
        assert bill.invoice_due_by is not None  # noqa: S101 - the selector filters on it
        out.append(Finding(
            rule="invoice_due", subject_key=f"bill:{bill.pk}", stage="overdue", owner_id=None,
            message=_("Bill %(number)s of %(client)s was paid in full but its invoice, due "
                      "by %(due)s, is not issued.") % {
                "number": bill.number, "client": bill.client.name,
                "due": bill.invoice_due_by.isoformat()},
            link=reverse("staff-billing-bill-detail", args=[bill.pk]),
            due_at=_end_of(bill.invoice_due_by), escalate=True, client_id=bill.client_id))
    return out


def rep_overload(now: datetime.datetime) -> list[Finding]:
    """STD-3.2.4: a representative serving more than 500 insured persons, to the managers;
    once a month while it lasts."""
    month = f"{_today(now):%Y-%m}"
    out = []
    for rep in rep_load_list(viewer=SYSTEM_VIEWER):
        load = getattr(rep, "load", 0) or 0
        if load <= MAX_PERSONS_PER_REP:
            continue
        out.append(Finding(
            rule="rep_overload", subject_key=f"rep:{rep.pk}:{month}", stage="over",
            owner_id=None,
            message=_("Representative %(name)s serves %(load)s insured persons, more than "
                      "the %(cap)s allowed.") % {"name": str(rep), "load": load,
                                                 "cap": MAX_PERSONS_PER_REP},
            link=reverse("staff-rep-load"), due_at=now, escalate=True))
    return out


def workday_calendar(now: datetime.datetime) -> list[Finding]:
    """A year whose official holidays are not known (deadlines in working days would be
    guessed Monday–Friday): this year at once, next year from 1 November. To the admins."""
    today = _today(now)
    out = []
    for year in workday_calendar_gaps(today=today):
        if year > today.year and today.month < CALENDAR_NOTICE_MONTH:
            continue
        out.append(Finding(
            rule="workday_calendar", subject_key=f"calendar:{year}", stage="missing",
            owner_id=None,
            message=_("The official holidays of %(year)s are not entered: working-day "
                      "deadlines of %(year)s count Monday to Friday only.") % {"year": year},
            link=reverse("admin:agency_workdayoverride_changelist"),
            due_at=_start_of(datetime.date(year, 1, 1))))
    return out


RULES: list[Rule] = [
    inquiry_response,
    complaint_handling,
    corrective_action,
    case_handling,  # STD-6.3 for insurance cases
    case_statutory,
    line_handling,
    archive_filing,
    contract_expiry,
    licence_expiry,
    staff_certificate_expiry,
    invoice_due,
    rep_overload,
    workday_calendar,
    revisit_findings,  # STD-7.4
    training_findings,  # STD-3.5.1
    assessment_findings,  # STD-3.5.2
]


def watch_findings(*, now: datetime.datetime, rules: Sequence[Rule] | None = None,
                   ) -> list[Finding]:
    """Every rule's findings, soonest due first (the dashboard's lists)."""
    found = [f for rule in (RULES if rules is None else rules) for f in rule(now)]
    return sorted(found, key=lambda f: (f.due_at, f.rule, f.subject_key))


# --- the engine --------------------------------------------------------------------------

# who receives a finding without an owner, by rule (else the managers)
AUDIENCE: dict[str, str] = {
    "archive_filing": Role.ARCHIVIST,
    "invoice_due": Role.FINANCE,
    "workday_calendar": Role.ADMIN,
}


@dataclass(frozen=True)
class WatchReport:
    findings: int
    reminders: int  # reminders this run created (each with its in-app notification)
    emails: int  # e-mails queued for after the commit: one per recipient with an address


Key = tuple[str, str, str, int]  # rule, subject_key, stage, recipient


@dataclass(frozen=True)
class _Row:
    key: Key
    escalation: bool
    message: str
    link: str


class _Staff:
    """The active staff users, read once: who may receive, by role."""

    def __init__(self) -> None:
        rows = list(User.objects.filter(is_active=True, role__in=sorted(STAFF_ROLES))
                    .order_by("pk").values_list("pk", "role", "email"))
        self.active = {pk for pk, _role, _email in rows}
        self.email = {pk: email for pk, _role, email in rows}
        self.by_role: dict[str, list[int]] = {}
        for pk, role, _email in rows:
            self.by_role.setdefault(role, []).append(pk)

    def role(self, role: str) -> list[int]:
        """Those holding `role`; nobody: the managers; none either: the admins."""
        for wanted in (role, Role.MANAGER, Role.ADMIN):
            if self.by_role.get(wanted):
                return self.by_role[wanted]
        return []

    def recipients(self, finding: Finding) -> list[tuple[int, bool]]:
        """(user, escalation) for each recipient of the finding, each once."""
        if finding.owner_id is not None and finding.owner_id in self.active:
            first = [finding.owner_id]
        else:
            first = self.role(AUDIENCE.get(finding.rule, Role.MANAGER))
        out = [(pk, False) for pk in first]
        if finding.escalate:
            out += [(pk, True) for pk in self.role(Role.MANAGER) if pk not in first]
        return out


def _rows(findings: Iterable[Finding], staff: _Staff) -> dict[Key, _Row]:
    rows: dict[Key, _Row] = {}
    for f in findings:
        for pk, escalation in staff.recipients(f):
            key = (f.rule, f.subject_key, f.stage, pk)
            rows.setdefault(key, _Row(key=key, escalation=escalation,
                                      message=f.message[:500], link=f.link[:300]))
    return rows


def existing_keys(rows: Iterable[Key]) -> set[Key]:
    """The reminders already sent among these keys: one query over the unique index."""
    rules = sorted({k[0] for k in rows})
    subjects = sorted({k[1] for k in rows})
    if not subjects:
        return set()
    if connection.vendor != "postgresql":  # SQLite (the `make run` default): chunked IN
        found: set[Key] = set()
        for start in range(0, len(subjects), SQLITE_BATCH):
            found |= {(r, s, st, int(u)) for r, s, st, u in Reminder.objects.filter(
                rule__in=rules, subject_key__in=subjects[start:start + SQLITE_BATCH],
            ).values_list("rule", "subject_key", "stage", "recipient_id")}
        return found
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rule, subject_key, stage, recipient_id FROM {Reminder._meta.db_table} "  # noqa: S608 - the table name
            "WHERE rule = ANY(%s) AND subject_key = ANY(%s)", [rules, subjects])
        return {(r, s, st, int(u)) for r, s, st, u in cursor.fetchall()}


_INSERT = (
    "INSERT INTO {table} (rule, subject_key, stage, recipient_id, escalation, message, link, "
    "created_at) "
    "SELECT r, s, st, u, e, m, l, %s FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], "
    "%s::bigint[], %s::boolean[], %s::varchar[], %s::varchar[]) AS t(r, s, st, u, e, m, l) "
    'ORDER BY r COLLATE "C", s COLLATE "C", st COLLATE "C", u '
    "ON CONFLICT ON CONSTRAINT reminder_once DO NOTHING "
    "RETURNING id, recipient_id, message, link"
)


def _insert(rows: list[_Row]) -> list[tuple[int, int, str, str]]:
    """Insert the reminders in key order, the same in Python and in PostgreSQL (code-point
    order, COLLATE "C"), batch after batch: two runs lock the unique index's entries in the
    same order, so they never deadlock. Returns only the rows these statements created."""
    if connection.vendor != "postgresql":
        return _insert_sqlite(rows)
    sql = _INSERT.format(table=Reminder._meta.db_table)
    created: list[tuple[int, int, str, str]] = []
    it = iter(sorted(rows, key=lambda r: r.key))
    with connection.cursor() as cursor:
        while batch := list(islice(it, INSERT_BATCH)):
            cursor.execute(sql, [
                timezone.now(),
                [r.key[0] for r in batch], [r.key[1] for r in batch],
                [r.key[2] for r in batch], [r.key[3] for r in batch],
                [r.escalation for r in batch], [r.message for r in batch],
                [r.link for r in batch]])
            created += [(int(pk), int(u), m, lk) for pk, u, m, lk in cursor.fetchall()]
    return created


def _insert_sqlite(rows: list[_Row]) -> list[tuple[int, int, str, str]]:
    """The same on SQLite (the `make run` default), where writers take the database lock in
    turn: `ON CONFLICT DO NOTHING … RETURNING` (SQLite 3.35+) in batches that stay under
    its limit of bound variables."""
    table = Reminder._meta.db_table
    created: list[tuple[int, int, str, str]] = []
    it = iter(sorted(rows, key=lambda r: r.key))
    now = timezone.now()
    with connection.cursor() as cursor:
        while batch := list(islice(it, SQLITE_BATCH // 8)):
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(batch))
            params: list[Any] = []
            for r in batch:
                params += [*r.key, r.escalation, r.message, r.link, now]
            cursor.execute(
                f"INSERT INTO {table} (rule, subject_key, stage, recipient_id, escalation, "  # noqa: S608 - the table name
                f"message, link, created_at) VALUES {values} ON CONFLICT DO NOTHING "
                "RETURNING id, recipient_id, message, link", params)
            created += [(int(pk), int(u), m, lk) for pk, u, m, lk in cursor.fetchall()]
    return created


def watch_run(*, now: datetime.datetime | None = None,
              rules: Sequence[Rule] | None = None) -> WatchReport:
    """Run every rule at `now` and send what is new: one reminder per finding, stage and
    recipient, with its in-app notification, and its e-mail after the commit. Safe to run
    twice and concurrently (see the module docstring)."""
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):  # reminders are kept in Chinese
        findings = watch_findings(now=now, rules=rules)
    staff = _Staff()
    rows = _rows(findings, staff)
    known = existing_keys(rows)
    new = [row for key, row in rows.items() if key not in known]
    created: list[tuple[int, int, str, str]] = []
    with transaction.atomic():
        if new:
            created = _insert(new)
            Notification.objects.bulk_create(
                [Notification(user_id=user_id, message=message, link=link)
                 for _pk, user_id, message, link in created], batch_size=INSERT_BATCH)
        transaction.on_commit(reminder_emails_send)
    emails = len({user_id for _pk, user_id, _m, _l in created if staff.email.get(user_id)})
    return WatchReport(findings=len(findings), reminders=len(created), emails=emails)


def _absolute(link: str) -> str:
    origins = getattr(settings, "CSRF_TRUSTED_ORIGINS", None) or []
    return f"{origins[0].rstrip('/')}{link}" if origins and link.startswith("/") else link


def _email(reminders: list[Reminder]) -> tuple[str, str]:
    """(subject, body) of one recipient's e-mail: one reminder as it is; several (a
    backlog, or many findings at once) listed in one e-mail rather than one each."""
    prefix = _("[Reminder]")
    if len(reminders) == 1:
        [one] = reminders
        return (f"{prefix} {one.message}".splitlines()[0][:150],
                f"{one.message}\n\n{_absolute(one.link)}\n")
    subject = _("%(n)s new reminders") % {"n": len(reminders)}
    body = "\n\n".join(f"{n}. {r.message}\n   {_absolute(r.link)}"
                       for n, r in enumerate(reminders, start=1))
    return f"{prefix} {subject}", f"{body}\n"


def reminder_emails_send(*, since: datetime.datetime | None = None) -> int:
    """E-mail the reminders not e-mailed yet (created since a day ago, recipient with an
    address): one e-mail per recipient. The rows are locked while their e-mail is sent and
    marked `emailed_at` in the same transaction: a concurrent run skips them, so each
    reminder is e-mailed once; one the mail server refused stays unmarked and the next run
    tries it again. Returns the e-mails sent."""
    since = since or timezone.now() - EMAIL_RETRY
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # one sender at a time, the next waiting for it: a recipient's new reminders
            # go out in one e-mail, not split between two overlapping runs
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [EMAIL_LOCK])
        due = list(Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                   .filter(emailed_at__isnull=True, created_at__gte=since)
                   .exclude(recipient__email="").select_related("recipient")
                   .order_by("recipient_id", "pk"))
        if not due:
            return 0
        by_recipient: dict[int, list[Reminder]] = {}
        for reminder in due:
            by_recipient.setdefault(reminder.recipient_id, []).append(reminder)
        channel = mail.get_connection()
        try:
            channel.open()
        except (smtplib.SMTPException, OSError):
            logger.exception("reminders: the mail server cannot be reached; retried next run")
            return 0
        sent: list[int] = []
        emails = 0
        try:
            with translation.override(settings.LANGUAGE_CODE):
                for reminders in by_recipient.values():
                    address = reminders[0].recipient.email
                    subject, body = _email(reminders)
                    try:
                        mail.send_mail(subject, body, None, [address], connection=channel)
                    except (smtplib.SMTPException, OSError):
                        logger.exception("reminders %s: e-mail to %s failed",
                                         [r.pk for r in reminders], address)
                        continue
                    sent += [r.pk for r in reminders]
                    emails += 1
        finally:
            channel.close()
        Reminder.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    return emails
