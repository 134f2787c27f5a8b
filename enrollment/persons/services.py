"""Writes about insured persons, their enrolments and papers (STD-3.4.2–3.4.4, 4.4, 6.1).

The ID number and the hukou address are personal data: they enter the database only
encrypted (`agency.crypto`), and the plain number leaves it only through
`person_reveal` and `person_export`, each of which writes an audit row in its own
transaction. Who may do either: `REVEAL_ROLES` (admin, manager, service representative —
the staff who file with the bureau); finance and archivists see the masked number only,
portal users and API keys never see more."""

import datetime
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from agency.crypto import decrypt_text, encrypt_text, lookup_hash, rotate_text
from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.history import record_actor
from agency.models import AuditEvent, User
from agency.roles import REVEAL_ROLES
from agency.services import audit_record
from agency.xlsx import append_row
from enrollment.models import InsuredPerson
from enrollment.persons.id_numbers import (
    IdCheck,
    mask_id_number,
    normalize_id_number,
    validate_id_number,
    validate_passport_number,
)

# --- identity document ----------------------------------------------------------------


def id_document_check(*, id_document_type: str, id_number: str) -> IdCheck:
    """Normalise and validate a number of the given document type."""
    if id_document_type == InsuredPerson.DocumentType.PASSPORT:
        return validate_passport_number(id_number)
    check = validate_id_number(id_number)
    if not check.ok:
        return check
    prefix = check.number[:2]
    expected: dict[str, bool] = {
        InsuredPerson.DocumentType.RESIDENCE_PERMIT: prefix in ("81", "82", "83"),
        InsuredPerson.DocumentType.FOREIGN_PERMANENT: check.number.startswith("9"),
        InsuredPerson.DocumentType.RESIDENT_ID: prefix not in ("81", "82", "83")
        and not check.number.startswith("9"),
    }
    if not expected.get(id_document_type, False):
        return IdCheck(number=check.number, code="invalid_id_number")
    return check


def _check_or_raise(*, id_document_type: str, id_number: str) -> IdCheck:
    if id_document_type not in InsuredPerson.DocumentType.values:
        raise ValidationFailed([ErrorDetail(
            "invalid_choice", "证件类型无效 / Unknown document type", field="id_document_type")])
    check = id_document_check(id_document_type=id_document_type, id_number=id_number)
    if not check.ok:
        message = check.message or "证件号码格式不正确 / Document number is not valid"
        raise ValidationFailed([ErrorDetail(check.code, message, field="id_number")])
    return check


def person_find_by_id_number(*, id_number: str, id_document_type: str = "") -> (
    InsuredPerson | None
):
    """The person with this (normalised) number, by its keyed hash; None when unknown.
    For services: it is not scoped to a viewer."""
    qs = InsuredPerson.objects.filter(id_number_hash=lookup_hash(normalize_id_number(id_number)))
    if id_document_type:
        qs = qs.filter(id_document_type=id_document_type)
    return qs.first()


def _set_id_number(person: InsuredPerson, check: IdCheck) -> None:
    person.id_number_encrypted = encrypt_text(check.number)
    person.id_number_hash = lookup_hash(check.number)
    person.id_number_last4 = check.last4
    person.id_number_masked = mask_id_number(check.number)
    if check.birth_date is not None:
        person.birth_date = check.birth_date
        person.sex = check.sex


@transaction.atomic
def person_create(
    *,
    name: str,
    id_number: str,
    actor: User | None,
    id_document_type: str = InsuredPerson.DocumentType.RESIDENT_ID,
    phone: str = "",
    hukou_type: str = "",
    hukou_address: str = "",
    employment_type: str = InsuredPerson.EmploymentType.ORDINARY,
    education_level: str = "",
    school: str = "",
    major: str = "",
    graduated_on: datetime.date | None = None,
    education_certificate_number: str = "",
    labour_contract_starts_on: datetime.date | None = None,
    labour_contract_ends_on: datetime.date | None = None,
    sex: str = "",
    birth_date: datetime.date | None = None,
) -> InsuredPerson:
    """Create a person. Sex and birth date come from an 18-character number; for a
    passport they are taken as given."""
    errors: list[ErrorDetail] = []
    if not name.strip():
        errors.append(ErrorDetail("required", "请填写姓名 / Name is required", field="name"))
    if hukou_type and hukou_type not in InsuredPerson.HukouType.values:
        errors.append(ErrorDetail("invalid_choice", "户籍类型无效 / Unknown hukou type",
                                  field="hukou_type"))
    if (labour_contract_starts_on and labour_contract_ends_on
            and labour_contract_ends_on < labour_contract_starts_on):
        errors.append(ErrorDetail(
            "date_invalid", "劳动合同结束日期早于开始日期 / Contract ends before it starts",
            field="labour_contract_ends_on"))
    if errors:
        raise ValidationFailed(errors)
    check = _check_or_raise(id_document_type=id_document_type, id_number=id_number)
    if InsuredPerson.objects.filter(
        id_document_type=id_document_type, id_number_hash=lookup_hash(check.number)
    ).exists():
        raise ValidationFailed([ErrorDetail(
            "duplicate", "该证件号码的人员已存在 / A person with this ID number already exists",
            field="id_number")])
    person = InsuredPerson(
        name=name.strip(), id_document_type=id_document_type, phone=phone.strip(),
        hukou_type=hukou_type, hukou_address_encrypted=encrypt_text(hukou_address.strip()),
        employment_type=employment_type, education_level=education_level, school=school,
        major=major, graduated_on=graduated_on,
        education_certificate_number=education_certificate_number,
        labour_contract_starts_on=labour_contract_starts_on,
        labour_contract_ends_on=labour_contract_ends_on, sex=sex, birth_date=birth_date,
    )
    _set_id_number(person, check)
    record_actor(person, actor)
    person.save()
    return person


PERSON_EDITABLE_FIELDS = (
    "name", "phone", "hukou_type", "employment_type", "education_level", "school", "major",
    "graduated_on", "education_certificate_number", "labour_contract_starts_on",
    "labour_contract_ends_on",
)


@transaction.atomic
def person_update(
    *,
    person: InsuredPerson,
    actor: User | None,
    id_number: str = "",
    id_document_type: str = "",
    hukou_address: str | None = None,
    **changes: Any,
) -> InsuredPerson:
    """Keep the record current (STD-3.4.4): plain fields from `changes`; a new document
    number when `id_number` is given (validated, unique); a new hukou address when given.
    The history records who changed what (the number only in its masked form)."""
    unknown = sorted(set(changes) - set(PERSON_EDITABLE_FIELDS))
    if unknown:
        raise ValidationFailed([ErrorDetail("unknown_field", f"未知字段 / Unknown field {name}",
                                            field=name) for name in unknown])
    if "name" in changes and not str(changes["name"]).strip():
        raise ValidationFailed([ErrorDetail("required", "请填写姓名 / Name is required",
                                            field="name")])
    starts = changes.get("labour_contract_starts_on", person.labour_contract_starts_on)
    ends = changes.get("labour_contract_ends_on", person.labour_contract_ends_on)
    if starts and ends and ends < starts:
        raise ValidationFailed([ErrorDetail(
            "date_invalid", "劳动合同结束日期早于开始日期 / Contract ends before it starts",
            field="labour_contract_ends_on")])
    for name, value in changes.items():
        setattr(person, name, value.strip() if isinstance(value, str) else value)
    document_type = id_document_type or person.id_document_type
    if id_number or document_type != person.id_document_type:
        if not id_number:
            id_number = decrypt_text(person.id_number_encrypted)
        check = _check_or_raise(id_document_type=document_type, id_number=id_number)
        if InsuredPerson.objects.filter(
            id_document_type=document_type, id_number_hash=lookup_hash(check.number)
        ).exclude(pk=person.pk).exists():
            raise ValidationFailed([ErrorDetail(
                "duplicate", "该证件号码的人员已存在 / A person with this ID number already exists",
                field="id_number")])
        person.id_document_type = document_type
        _set_id_number(person, check)
    if hukou_address is not None:
        person.hukou_address_encrypted = encrypt_text(hukou_address.strip())
    record_actor(person, actor)
    person.save()
    return person


def person_id_number(person: InsuredPerson) -> str:
    """The plain number, for services that must hand it on (bureau filing). Not for
    display: faces call `person_reveal`, which is audited."""
    return decrypt_text(person.id_number_encrypted)


@dataclass(frozen=True)
class Revealed:
    id_number: str
    hukou_address: str


def require_reveal_role(
    actor: User | None,
    *,
    message: str = "无权查看完整证件号码 / Not allowed to see full ID numbers",
) -> None:
    """Only `REVEAL_ROLES` may see (or export) full ID numbers."""
    if actor is None or not actor.has_role(*REVEAL_ROLES):
        raise DomainError(code="permission_denied", message=message, status=403)


@transaction.atomic
def person_reveal(
    *, person: InsuredPerson, actor: User | None, request: HttpRequest | None = None
) -> Revealed:
    """The full ID number and hukou address of one person, for a permitted staff member,
    with an audit row (who, whom, when)."""
    require_reveal_role(actor)
    audit_record(
        actor=actor, action=AuditEvent.Action.REVEAL, target=person,
        detail={"fields": ["id_number", "hukou_address"], "person": person.name},
        request=request,
    )
    return Revealed(
        id_number=decrypt_text(person.id_number_encrypted),
        hukou_address=decrypt_text(person.hukou_address_encrypted),
    )


EXPORT_COLUMNS = (
    ("name", "姓名"), ("id_document_type", "证件类型"), ("id_number", "证件号码"),
    ("sex", "性别"), ("birth_date", "出生日期"), ("phone", "电话"), ("hukou_type", "户籍类型"),
    ("hukou_address", "户籍地址"), ("employment_type", "用工形式"),
)


def export_full_id_max_rows() -> int:
    """At most this many persons in one export of full ID numbers (setting
    `EXPORT_FULL_ID_MAX_ROWS`, default 200)."""
    return int(settings.EXPORT_FULL_ID_MAX_ROWS)


@transaction.atomic
def person_export(
    *,
    persons: QuerySet[InsuredPerson],
    actor: User | None,
    filters: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> bytes:
    """An .xlsx of the persons with full ID numbers, for a permitted staff member; the
    export (who, how many, which filters) is audited. At most `EXPORT_FULL_ID_MAX_ROWS`
    persons; pages reach it only through an approved request
    (`enrollment.persons.export_services`)."""

    require_reveal_role(actor)
    cap = export_full_id_max_rows()
    if persons.count() > cap:
        raise ValidationFailed([ErrorDetail(
            "export_too_large",
            f"完整证件号码导出最多 {cap} 人，请缩小筛选范围 / "
            f"An export of full ID numbers holds at most {cap} persons: narrow the filters",
            field="filters")])
    return persons_workbook(
        header=[label for _key, label in EXPORT_COLUMNS], persons=persons,
        row=lambda person: (
            person.name, person.get_id_document_type_display(),
            decrypt_text(person.id_number_encrypted), person.get_sex_display(),
            person.birth_date, person.phone, person.get_hukou_type_display(),
            decrypt_text(person.hukou_address_encrypted), person.get_employment_type_display(),
        ),
        actor=actor, what="insured_persons", filters=filters, request=request,
    )


def persons_workbook(
    *, header: Sequence[str], persons: QuerySet[InsuredPerson],
    row: Callable[[InsuredPerson], Sequence[Any]], actor: User | None, what: str,
    filters: dict[str, Any] | None, request: HttpRequest | None,
) -> bytes:
    """An .xlsx of `persons`, one `row` each under `header`, and its audit row (`export`:
    what, how many, which filters). Call it inside the export's transaction."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook always has one sheet
    sheet.title = "persons"
    sheet.append(list(header))
    count = 0
    for person in persons.iterator(chunk_size=500):
        count += 1
        append_row(sheet, row(person))
    audit_record(
        actor=actor, action=AuditEvent.Action.EXPORT,
        detail={"what": what, "count": count, "filters": filters or {}}, request=request,
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def person_rotate_keys(*, batch_size: int = 500) -> int:
    """Re-encrypt every person's ciphertexts under the newest key; returns rows changed."""
    changed = 0
    ids = list(InsuredPerson.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            rows = InsuredPerson.objects.select_for_update().filter(
                pk__in=ids[start:start + batch_size]
            ).only("pk", "id_number_encrypted", "hukou_address_encrypted")
            for person in rows:
                person.id_number_encrypted = rotate_text(person.id_number_encrypted)
                person.hukou_address_encrypted = rotate_text(person.hukou_address_encrypted)
                InsuredPerson.objects.filter(pk=person.pk).update(
                    id_number_encrypted=person.id_number_encrypted,
                    hukou_address_encrypted=person.hukou_address_encrypted,
                )
                changed += 1
    return changed


@dataclass(frozen=True)
class NewPerson:
    """A person to create in bulk, whose ID number was already checked (`check`)."""

    name: str
    check: IdCheck
    phone: str = ""
    hukou_type: str = ""


def person_create_many(*, people: list[NewPerson], actor: User | None) -> list[InsuredPerson]:
    """Create many persons at once (a roster import): the same fields as `person_create`,
    one INSERT per batch for the rows and one for their history. The caller has checked
    the numbers and that none exists yet (the unique constraint still guards)."""
    from agency.bulk import bulk_insert_with_history, new_objects

    rows = new_objects(InsuredPerson, ({
        "name": new.name.strip(), "id_document_type": InsuredPerson.DocumentType.RESIDENT_ID,
        "phone": new.phone, "hukou_type": new.hukou_type,
        "hukou_address_encrypted": encrypt_text(""),
    } for new in people))
    for person, new in zip(rows, people, strict=True):
        _set_id_number(person, new.check)
    return bulk_insert_with_history(rows, InsuredPerson, user=actor)
