"""Proofs of enrolment (参保证明, STD-4.7): per person and month, a PDF of the person's
contributions in that month, and the public check of its verification code.

The PDF shows, per enrolment in force that month, each item's base and employer and
employee amounts as the calculator gives them under the policy in force (the housing fund
at the enrolment's rate), the totals, the agency's name, the verification code and the
URL of the public check page. Every proof issued is kept (code, who, when, SHA-256 of the
PDF) and its download audited. The public page learns nothing but whether a code is valid
and, if so, the masked name, client, city, month and issue date."""

import base64
import datetime
import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.history import record_actor
from agency.models import AuditEvent, User
from agency.pdf import render_pdf
from agency.services import audit_record
from agency.viewer import Viewer
from clients.models import Client
from clients.selectors import work_injury_rate_in_force
from enrollment.models import (
    Enrollment,
    EnrollmentBase,
    InsuredPerson,
    ProofOfEnrolment,
    Scheme,
)
from enrollment.persons.selectors import base_in_month
from enrollment.proofs.selectors import enrollments_in_month
from policies.calculator import ZERO, ItemAmount, PolicyRules, contributions
from policies.models import kind_label
from policies.selectors import policy_rules_for_month

# a base that no ceiling reaches: "max" clamps every item to its ceiling, "min" (zero) to
# its floor
_ABOVE_EVERY_CEILING = Decimal("999999999.99")


NOT_ENROLLED = "该人员在该月份没有参保记录 / The person was not enrolled in that month"

# The PDF's amount tables are lines of text, not HTML tables: WeasyPrint spends about 2 ms
# on every table cell and every element (style, layout, drawing), and a proof had some 60
# cells (issue 18: a proof cost 2x an invoice's CPU, 6-10x its time on a busy machine). A
# row is one line: its label, then the amounts at tab stops (`tab-size` in the template,
# one fifth of the width); each amount is padded with figure spaces (U+2007, as wide as a
# digit) to the same width, so the columns line up on the right like a table's.
FIGURE_SPACE = "\u2007"
AMOUNT_FIGURES = 14  # an amount column's width in digits (the decimal point adds half)
_CJK_FIGURES = 1.8125  # a Chinese character is as wide as ~1.8 digits (WenQuanYi, Noto CJK)
_LABEL_FIGURES = 15  # a label wider than this would pass the first tab stop
COLUMN_HEADINGS = ("缴费基数", "单位缴纳", "个人缴纳", "合计")


def text_figures(text: str) -> float:
    """About how wide `text` is, in digits."""
    return sum(_CJK_FIGURES if ord(char) >= 0x2E80 else 1 for char in str(text))


def amount_field(value: Decimal | None) -> str:
    """`value` right-aligned in its column ("" for none)."""
    if value is None:
        return ""
    text = f"{value}"
    return FIGURE_SPACE * max(0, AMOUNT_FIGURES - len(text) + text.count(".")) + text


def heading_field(heading: str) -> str:
    """A column heading right-aligned over the amounts."""
    return FIGURE_SPACE * max(0, round(AMOUNT_FIGURES + 0.5 - text_figures(heading))) + heading


def amount_columns(*values: Decimal | None) -> str:
    """One row's amounts, a tab between columns."""
    return "\t".join(amount_field(v) for v in values)


def label_is_wide(label: StrOrPromise) -> bool:
    """A label that needs a box of its own (it wraps in the first column)."""
    return text_figures(str(label)) > _LABEL_FIGURES


HEADING_COLUMNS = "\t".join(heading_field(h) for h in COLUMN_HEADINGS)


def proof_client(
    *, viewer: Viewer, person: InsuredPerson, month: datetime.date, client_id: int | None = None
) -> Client:
    """Whose proof it is: a client viewer's own client; for staff the client named, or the
    one client that enrolled the person that month (several: 400 naming `client`)."""
    enrollments = enrollments_in_month(person=person, month=month)
    if viewer.is_client:
        client_id = viewer.client_id
    clients = {e.client_id: e.client for e in enrollments}
    if client_id is not None:
        if client_id not in clients:
            raise DomainError(code="not_enrolled", message=NOT_ENROLLED)
        return clients[client_id]
    if not clients:
        raise DomainError(code="not_enrolled", message=NOT_ENROLLED)
    if len(clients) > 1:
        raise ValidationFailed([ErrorDetail(
            code="required", field="client",
            message="该月份有多个客户为其参保，请选择客户 / Several clients enrolled the person "
                    "that month: choose the client")])
    return next(iter(clients.values()))


@dataclass(frozen=True)
class ProofItem:
    kind: str
    label: StrOrPromise  # rendered in Chinese by render_pdf
    base: Decimal
    employer: Decimal
    employee: Decimal

    @property
    def total(self) -> Decimal:
        return self.employer + self.employee

    @property
    def columns(self) -> str:
        return amount_columns(self.base, self.employer, self.employee, self.total)

    @property
    def wide_label(self) -> bool:
        return label_is_wide(self.label)


@dataclass(frozen=True)
class ProofSection:
    """One enrolment's month: its city and scheme, the policy and each item."""

    enrollment: Enrollment
    city_name: str
    city_code: str
    scheme_label: StrOrPromise
    policy_name: str
    provisional: bool
    items: tuple[ProofItem, ...]

    @property
    def employer(self) -> Decimal:
        return sum((i.employer for i in self.items), ZERO)

    @property
    def employee(self) -> Decimal:
        return sum((i.employee for i in self.items), ZERO)

    @property
    def total(self) -> Decimal:
        return self.employer + self.employee

    @property
    def columns(self) -> str:
        return amount_columns(None, self.employer, self.employee, self.total)


def _declared_base(row: EnrollmentBase) -> Decimal:
    if row.base_kind == Enrollment.BaseKind.CITY_MAX:
        return _ABOVE_EVERY_CEILING
    if row.base_kind == Enrollment.BaseKind.CITY_MIN or row.base is None:
        return ZERO
    return row.base


def _item(amount: ItemAmount) -> ProofItem:
    return ProofItem(kind=amount.kind, label=kind_label(amount.kind),
                     base=amount.base, employer=amount.employer, employee=amount.employee)


def proof_sections(
    *, enrollments: list[Enrollment], month: datetime.date
) -> list[ProofSection]:
    """Each enrolment's items in `month` under the policy then in force (400 `no_policy`
    when the city has none), at the base of that month (调基 is effective-dated), the
    housing fund at that month's rate and work injury at the client's rate in the city."""
    sections = []
    policies: dict[int, PolicyRules] = {}  # a city's social insurance and fund: one read
    for enrollment in enrollments:
        policy = policies.get(enrollment.city_id)
        if policy is None:
            policy = policies[enrollment.city_id] = policy_rules_for_month(
                city=enrollment.city, month=month)
        row = base_in_month(enrollment, month)
        base = _declared_base(row)
        fund = enrollment.scheme == Scheme.HOUSING_FUND
        injury_rate = None if fund else work_injury_rate_in_force(
            client=enrollment.client, city_id=enrollment.city_id, on=month)
        result = contributions(
            policy, base=base, housing_fund_base=base,
            housing_fund_rate=row.rate if fund else None, work_injury_rate=injury_rate,
            housing_fund=fund, social_insurance=not fund,
        )
        sections.append(ProofSection(
            enrollment=enrollment, city_name=enrollment.city.name,
            city_code=enrollment.city.code,
            scheme_label=Scheme(enrollment.scheme).label,
            policy_name=policy.notice or policy.name,
            provisional=policy.provisional,
            items=tuple(_item(a) for a in result.items),
        ))
    return sections


def new_verification_code() -> str:
    """16 characters of base32 (80 random bits): unguessable, easy to type."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def verify_path(code: str) -> str:
    return reverse("verify-proof", kwargs={"code": code})


@dataclass(frozen=True)
class IssuedProof:
    proof: ProofOfEnrolment
    pdf: bytes

    @property
    def filename(self) -> str:
        return f"proof-{self.proof.month:%Y-%m}-{self.proof.verification_code}.pdf"


def proof_render(
    *, person: InsuredPerson, client: Client, month: datetime.date, site_url: str,
    actor: User | None, label: str,
) -> IssuedProof:
    """The PDF of `person`'s proof for `client` in `month` and its record, not yet saved
    (a fresh verification code; `label` names who issued it). No transaction is open while
    WeasyPrint works: the caller saves the record."""
    enrollments = sorted(
        (e for e in enrollments_in_month(person=person, month=month) if e.client_id == client.pk),
        key=lambda e: (e.city.code, e.scheme != Scheme.SOCIAL_INSURANCE),
    )
    sections = proof_sections(enrollments=enrollments, month=month)
    employer = sum((s.employer for s in sections), ZERO)
    employee = sum((s.employee for s in sections), ZERO)
    issued_at = timezone.now()
    code = new_verification_code()
    verify_url = site_url.rstrip("/") + verify_path(code)
    cities = "、".join(dict.fromkeys(s.city_name for s in sections))
    pdf = render_pdf("enrollment/proof/proof_pdf.html", {
        "person": person, "client": client, "month": month, "sections": sections,
        "employer": employer, "employee": employee, "total": employer + employee,
        "agency_name": settings.AGENCY_NAME, "code": code, "verify_url": verify_url,
        "issued_at": timezone.localtime(issued_at), "cities": cities,
        "headings": HEADING_COLUMNS, "totals": amount_columns(None, employer, employee,
                                                              employer + employee),
    })
    proof = ProofOfEnrolment(
        person=person, client=client, month=month, cities=cities[:200],
        verification_code=code, issued_at=issued_at,
        issued_by=actor if actor is not None and actor.pk else None,
        issued_by_label=label[:150], sha256=hashlib.sha256(pdf).hexdigest(),
    )
    record_actor(proof, actor)
    return IssuedProof(proof=proof, pdf=pdf)


def proof_save(proof: ProofOfEnrolment) -> None:
    """Save a rendered proof (inside the caller's transaction); a verification code that
    collides (80 random bits) is refused rather than reused: 409, try again."""
    try:
        with transaction.atomic():
            proof.save()
    except IntegrityError as exc:
        raise DomainError(code="conflict", message="请重试 / Please try again",
                          status=409) from exc


def proof_issue(
    *,
    viewer: Viewer,
    person: InsuredPerson,
    month: datetime.date,
    actor: User | None,
    site_url: str,
    client_id: int | None = None,
    request: HttpRequest | None = None,
) -> IssuedProof:
    """参保证明 of `person` in `month` for the client (see `proof_client`): the PDF, kept as
    a `ProofOfEnrolment` with a fresh verification code; the record and the audit row of
    the download are written in one transaction.
    `site_url` ("https://portal.example.cn") makes the check page's address absolute.
    The caller has scoped `person` to the viewer (`person_get`)."""
    client = proof_client(viewer=viewer, person=person, month=month, client_id=client_id)
    label = actor.get_username() if actor is not None else (
        f"api-key:{viewer.api_key_id}" if viewer.api_key_id else "")
    issued = proof_render(person=person, client=client, month=month, site_url=site_url,
                          actor=actor, label=label)
    proof = issued.proof
    # the PDF is rendered before the transaction: no lock is held while WeasyPrint works
    with transaction.atomic():
        proof_save(proof)
        audit_record(
            actor=actor, action=AuditEvent.Action.DOWNLOAD, target=proof, client_id=client.pk,
            detail={"what": "proof_of_enrolment", "person": person.pk,
                    "month": f"{month:%Y-%m}", "code": proof.verification_code,
                    "sha256": proof.sha256, "api_key": viewer.api_key_id},
            request=request,
        )
    return issued
