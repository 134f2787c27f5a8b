"""Insured persons: creation, encryption at rest, key rotation, reveal and export audits,
enrolments (one active per person, city and scheme; the housing fund's own life)."""

import datetime
import io
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from openpyxl import load_workbook

from agency.errors import DomainError, ValidationFailed
from agency.models import AuditEvent
from agency.roles import Role
from enrollment.models import Enrollment, InsuredPerson
from enrollment.persons.enrollment_services import (
    enrollment_adjust_base,
    enrollment_open,
    housing_fund_seal,
    housing_fund_transfer,
    housing_fund_unseal,
)
from enrollment.persons.services import (
    person_create,
    person_export,
    person_find_by_id_number,
    person_id_number,
    person_reveal,
    person_update,
)
from tests.factories import CityFactory, ClientFactory, EnrollmentFactory, InsuredPersonFactory

pytestmark = pytest.mark.django_db

NUMBER = "11010519491231002X"


def _row_text(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT row_to_json(t)::text FROM {table} t WHERE id = %s", [pk])  # noqa: S608
        return " ".join(r[0] for r in cursor.fetchall())


def test_person_create_normalises_and_derives_sex_and_birth_date():
    person = person_create(name=" 张三 ", id_number="11010519491231002x", actor=None,
                           hukou_type="urban_local", hukou_address="北京市朝阳区建国路1号")

    person.refresh_from_db()
    assert person.name == "张三"
    assert person_id_number(person) == NUMBER
    assert person.id_number_masked == "**************002X"
    assert person.id_number_last4 == "002X"
    assert person.birth_date == datetime.date(1949, 12, 31)
    assert person.sex == "F"
    assert person_find_by_id_number(id_number="１１０１０５１９４９１２３１００２ｘ") == person


def test_the_database_holds_no_plain_id_number_or_hukou_address():
    person = person_create(name="张三", id_number=NUMBER, actor=None,
                           hukou_address="北京市朝阳区建国路1号")

    row = _row_text("enrollment_insuredperson", person.pk)
    history = _row_text("enrollment_historicalinsuredperson", person.pk)

    assert NUMBER not in row
    assert "11010519491231" not in row
    assert "建国路" not in row
    assert "**************002X" in row
    assert NUMBER not in history
    assert "建国路" not in history
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_encrypted FROM enrollment_insuredperson WHERE id = %s",
                       [person.pk])
        assert cursor.fetchone()[0].startswith("gAAAAA")  # a Fernet token


def test_a_second_person_with_the_same_number_is_refused():
    person_create(name="张三", id_number=NUMBER, actor=None)

    with pytest.raises(ValidationFailed) as exc:
        person_create(name="张三丰", id_number="110105 19491231 002x", actor=None)

    assert [(d.field, d.code) for d in exc.value.details] == [("id_number", "duplicate")]


def test_an_invalid_number_names_the_field_and_code():
    with pytest.raises(ValidationFailed) as exc:
        person_create(name="李四", id_number="110105194912310021", actor=None)

    assert [(d.field, d.code) for d in exc.value.details] == [("id_number", "invalid_checksum")]


def test_a_residence_permit_number_needs_the_residence_permit_type():
    first17 = "81000019900101123"
    from enrollment.persons.id_numbers import id_check_char

    number = first17 + id_check_char(first17)

    with pytest.raises(ValidationFailed):
        person_create(name="陈大文", id_number=number, actor=None)
    person = person_create(name="陈大文", id_number=number, actor=None,
                           id_document_type=InsuredPerson.DocumentType.RESIDENCE_PERMIT)
    assert person.birth_date == datetime.date(1990, 1, 1)


def test_key_rotation_keeps_old_rows_readable_and_the_command_re_encrypts(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    person = person_create(name="张三", id_number=NUMBER, actor=None, hukou_address="某地")
    old_token = person.id_number_encrypted

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    person.refresh_from_db()
    assert person_id_number(person) == NUMBER

    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)

    assert out.getvalue().strip() == "re-encrypted 1 persons"
    person.refresh_from_db()
    assert person.id_number_encrypted != old_token
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert person_id_number(person) == NUMBER
    assert person_reveal(person=person, actor=_user(Role.MANAGER)).hukou_address == "某地"


def _user(role, client=None):
    from tests.factories import UserFactory

    return UserFactory(role=role, client=client)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.SERVICE_REP])
def test_reveal_returns_the_number_and_writes_an_audit_row(role):
    person = InsuredPersonFactory(id_number=NUMBER)
    user = _user(role)

    revealed = person_reveal(person=person, actor=user)

    assert revealed.id_number == NUMBER
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL)
    assert (event.actor, event.target_type, event.target_id) == (
        user, "enrollment.insuredperson", str(person.pk))


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ARCHIVIST])
def test_other_staff_roles_cannot_reveal(role):
    person = InsuredPersonFactory()

    with pytest.raises(DomainError) as exc:
        person_reveal(person=person, actor=_user(role))

    assert exc.value.code == "permission_denied"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).count() == 0


@pytest.mark.parametrize("role", [Role.CLIENT_ADMIN, Role.CLIENT_VIEWER])
def test_portal_users_cannot_reveal(role):
    person = InsuredPersonFactory()

    with pytest.raises(DomainError):
        person_reveal(person=person, actor=_user(role, client=ClientFactory()))

    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).count() == 0


def test_export_has_full_numbers_and_is_audited():
    InsuredPersonFactory(name="甲", id_number=NUMBER)
    user = _user(Role.MANAGER)

    data = person_export(persons=InsuredPerson.objects.all(), actor=user,
                         filters={"q": "甲"})

    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "证件类型", "证件号码")
    assert rows[1][:3] == ("甲", "居民身份证", NUMBER)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == user
    assert event.detail == {"what": "insured_persons", "count": 1, "filters": {"q": "甲"}}


def test_export_by_finance_is_refused_and_not_audited():
    with pytest.raises(DomainError):
        person_export(persons=InsuredPerson.objects.all(), actor=_user(Role.FINANCE))

    assert AuditEvent.objects.count() == 0


def test_export_writes_formula_like_names_as_text():
    InsuredPersonFactory(name="=HYPERLINK(1)")

    data = person_export(persons=InsuredPerson.objects.all(), actor=_user(Role.ADMIN))

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.cell(row=2, column=1).value == "'=HYPERLINK(1)"


def test_database_allows_one_active_enrolment_per_person_city_and_scheme():
    first = EnrollmentFactory(status="active")

    with pytest.raises(IntegrityError), transaction.atomic():
        EnrollmentFactory(person=first.person, city=first.city, client=ClientFactory(),
                          scheme="social_insurance", status="active")

    EnrollmentFactory(person=first.person, city=first.city, scheme="housing_fund",
                      status="active")
    EnrollmentFactory(person=first.person, city=first.city, scheme="social_insurance",
                      status="ended")
    assert Enrollment.objects.filter(person=first.person).count() == 3


def test_one_person_enrolled_by_two_clients_over_time():
    person = InsuredPersonFactory()
    city = CityFactory()
    first = enrollment_open(person=person, client=ClientFactory(), city=city,
                            scheme="social_insurance", starts_on=datetime.date(2024, 1, 1),
                            base=Decimal("8000.00"), actor=None)
    with pytest.raises(DomainError) as exc:
        enrollment_open(person=person, client=ClientFactory(), city=city,
                        scheme="social_insurance", starts_on=datetime.date(2025, 1, 1),
                        base=Decimal("9000.00"), actor=None)
    assert exc.value.code == "already_enrolled"

    from enrollment.persons.enrollment_services import enrollment_end

    enrollment_end(enrollment=first, ends_on=datetime.date(2024, 12, 31), reason="resignation",
                   actor=None)
    second = enrollment_open(person=person, client=ClientFactory(), city=city,
                             scheme="social_insurance", starts_on=datetime.date(2025, 1, 1),
                             base_kind="min", actor=None)

    assert second.client != first.client
    assert (second.base_kind, second.base, second.first_billed_month) == (
        "min", None, datetime.date(2025, 1, 1))


def test_declared_base_is_required():
    with pytest.raises(ValidationFailed) as exc:
        enrollment_open(person=InsuredPersonFactory(), client=ClientFactory(), city=CityFactory(),
                        scheme="social_insurance", starts_on=datetime.date(2025, 1, 1),
                        actor=None)

    assert [(d.field, d.code) for d in exc.value.details] == [("base", "base_invalid")]


def test_housing_fund_opens_seals_unseals_adjusts_and_transfers():
    person = InsuredPersonFactory()
    shanghai = CityFactory()
    beijing = CityFactory(code="110000", name="北京市")
    client = ClientFactory()
    fund = enrollment_open(person=person, client=client, city=shanghai, scheme="housing_fund",
                           starts_on=datetime.date(2025, 3, 15), base=Decimal("8000.00"),
                           rate=Decimal("0.07"), bureau_account_number="HF001", actor=None)
    assert fund.first_billed_month == datetime.date(2025, 3, 1)

    housing_fund_seal(enrollment=fund, on=datetime.date(2025, 6, 1), actor=None)
    assert (fund.status, fund.sealed_on) == ("sealed", datetime.date(2025, 6, 1))
    housing_fund_unseal(enrollment=fund, actor=None)
    enrollment_adjust_base(enrollment=fund, base_kind="declared", base=Decimal("9000.00"),
                           rate=Decimal("0.12"), from_month=datetime.date(2025, 7, 1),
                           actor=None)
    moved = housing_fund_transfer(enrollment=fund, client=client, city=beijing,
                                  on=datetime.date(2025, 9, 1), actor=None)

    fund.refresh_from_db()
    assert (fund.status, fund.ends_on, fund.end_reason) == (
        "ended", datetime.date(2025, 8, 31), "transfer")
    assert (moved.city, moved.status, moved.base, moved.rate, moved.bureau_account_number) == (
        beijing, "active", Decimal("9000.00"), Decimal("0.12"), "HF001")
    assert fund.history.count() == 5


def test_social_insurance_cannot_be_sealed():
    enrollment = EnrollmentFactory(scheme="social_insurance", status="active")

    with pytest.raises(DomainError) as exc:
        housing_fund_seal(enrollment=enrollment, on=datetime.date(2025, 1, 1), actor=None)

    assert exc.value.code == "invalid_transition"


def test_person_update_changes_the_number_and_refuses_a_taken_one():
    taken = InsuredPersonFactory(id_number=NUMBER)
    person = InsuredPersonFactory()

    with pytest.raises(ValidationFailed) as exc:
        person_update(person=person, actor=None, id_number="11010519491231002x")
    person_update(person=person, actor=None, id_number="310115197003152013",
                  hukou_address="上海市浦东新区1号", phone="13911112222")

    assert [(d.field, d.code) for d in exc.value.details] == [("id_number", "duplicate")]
    person.refresh_from_db()
    assert person_id_number(person) == "310115197003152013"
    assert person.birth_date == datetime.date(1970, 3, 15)
    assert person.phone == "13911112222"
    assert person_id_number(taken) == NUMBER


def test_person_update_refuses_unknown_fields():
    with pytest.raises(ValidationFailed) as exc:
        person_update(person=InsuredPersonFactory(), actor=None, id_number_hash="x")

    assert [(d.field, d.code) for d in exc.value.details] == [("id_number_hash", "unknown_field")]


def test_system_checks_refuse_a_bad_key_and_no_key_on_deploy(settings):
    from agency.crypto import check_field_keys, check_field_keys_deploy

    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    assert [m.id for m in check_field_keys()] == ["agency.E001"]
    settings.FIELD_ENCRYPTION_KEYS = []
    assert [m.id for m in check_field_keys_deploy()] == ["agency.E002"]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert check_field_keys() + check_field_keys_deploy() == []


def test_a_passport_holder_keeps_the_given_sex_and_birth_date():
    person = person_create(name="John Smith", id_number="e 1234 5678", actor=None,
                           id_document_type="passport", sex="M",
                           birth_date=datetime.date(1980, 5, 1))

    assert (person.id_number_masked, person.id_number_last4) == ("*****5678", "5678")
    assert (person.sex, person.birth_date) == ("M", datetime.date(1980, 5, 1))
    assert person_id_number(person) == "E12345678"
