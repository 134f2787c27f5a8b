"""Proof of enrolment (参保证明): the PDF per person and month, its verification code and
the public check page, the API and the person pages, scoped to the caller."""

import dataclasses
import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from agency.models import AuditEvent
from agency.pdf import html_to_pdf, pdf_context
from agency.roles import Role
from agency.viewer import SYSTEM_VIEWER, ApiKeyPrincipal
from enrollment.models import Enrollment, ProofOfEnrolment
from enrollment.persons.enrollment_services import enrollment_end, enrollment_open
from enrollment.proofs.selectors import enrollments_in_month, mask_name, proof_check
from enrollment.proofs.services import (
    HEADING_COLUMNS,
    ProofItem,
    amount_columns,
    amount_field,
    heading_field,
    proof_issue,
    proof_render,
    proof_sections,
)
from policies.calculator import contributions
from policies.selectors import policy_rules_for_month
from tests.enrollment.order_fixtures import active, enrolled
from tests.factories import ClientFactory, UserFactory
from tests.pdf_utils import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db

DECEMBER = datetime.date(2026, 12, 1)


@pytest.fixture
def person(company, shanghai, policies):
    return enrolled(company, shanghai, 5, name="张三丰",
                    schemes=("social_insurance", "housing_fund"))


def as_key(api_client, client):
    api_client.force_authenticate(user=ApiKeyPrincipal(client_id=client.pk, api_key_id=7))


def test_the_proof_pdf_shows_person_client_month_amounts_and_its_code(
        api_client, company, shanghai, person):
    as_key(api_client, company)
    policy = policy_rules_for_month(city=shanghai, month=DECEMBER)
    social = contributions(policy, base=Decimal("8000.00"), housing_fund=False)
    fund = contributions(policy, base=Decimal("8000.00"), housing_fund_rate=Decimal("0.07"),
                         social_insurance=False)
    pension = next(i for i in social.items if i.kind == "pension")

    response = api_client.get(f"/api/v1/persons/{person.pk}/proof/", {"month": "2026-12"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    proof = ProofOfEnrolment.objects.get()
    text = pdf_text(response.content)
    assert "张三丰" in text
    assert person.id_number_masked in text
    assert company.name in text
    assert "2026-12" in text
    assert f"{pension.employer}" in text and f"{pension.employee}" in text
    assert f"{fund.items[0].employer}" in text
    assert f"{social.employer + fund.employer}" in text
    assert proof.verification_code in text
    assert (proof.person, proof.client, proof.month, proof.cities) == (
        person, company, DECEMBER, "上海市")
    assert len(proof.verification_code) == 16
    assert proof.issued_by_label == "api-key:7"
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD)
    assert (event.target_type, event.target_id, event.client_id_ref) == (
        "enrollment.proofofenrolment", str(proof.pk), company.pk)
    assert event.detail["code"] == proof.verification_code


def test_the_verify_page_confirms_a_code_with_masked_data_only(client, person, company):
    client.force_login(UserFactory(role=Role.CLIENT_VIEWER, client=company))
    client.get(f"/portal/persons/{person.pk}/proof.pdf", {"month": "2026-12"})
    code = ProofOfEnrolment.objects.get().verification_code
    client.logout()

    response = client.get(f"/verify/{code}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="proof-valid"' in html
    assert "张**" in html
    assert "张三丰" not in html
    assert person.id_number_masked not in html
    assert company.name in html
    assert "上海市" in html
    assert "2026-12" in html


def test_an_unknown_code_is_invalid(client, db):
    for code in ("AAAAAAAAAAAAAAAA", "not-a-code", "x" * 300):
        response = client.get(f"/verify/{code}/")

        assert response.status_code == 404
        assert 'data-testid="proof-invalid"' in response.content.decode()
    assert proof_check(code="") == proof_check(code="AAAA")


def test_masked_names():
    assert [mask_name(n) for n in ("张三", "欧阳娜娜", "李", "")] == ["张*", "欧***", "李*", ""]


def test_another_clients_person_is_404_for_api_key_and_portal_user(api_client, client, person):
    stranger = ClientFactory()
    as_key(api_client, stranger)
    client.force_login(UserFactory(role=Role.CLIENT_ADMIN, client=stranger))

    by_key = api_client.get(f"/api/v1/persons/{person.pk}/proof/", {"month": "2026-12"})
    by_portal = client.get(f"/portal/persons/{person.pk}/proof.pdf", {"month": "2026-12"})

    assert by_key.status_code == 404
    assert by_key.json()["error"]["code"] == "not_found"
    assert by_portal.status_code == 404
    assert ProofOfEnrolment.objects.count() == 0


def test_a_month_without_enrolment_and_a_bad_month_are_400(api_client, company, person):
    as_key(api_client, company)

    before = api_client.get(f"/api/v1/persons/{person.pk}/proof/", {"month": "2025-12"})
    bad = api_client.get(f"/api/v1/persons/{person.pk}/proof/", {"month": "2026-13"})
    missing = api_client.get(f"/api/v1/persons/{person.pk}/proof/")

    assert before.status_code == 400
    assert before.json()["error"]["code"] == "not_enrolled"
    assert bad.status_code == 400
    assert [(d["field"], d["code"]) for d in bad.json()["error"]["details"]] == [
        ("month", "invalid")]
    assert [d["field"] for d in missing.json()["error"]["details"]] == ["month"]


def test_an_ended_enrolment_still_proves_its_months_but_not_later_ones(
        api_client, company, shanghai, person):
    for scheme in ("social_insurance", "housing_fund"):
        enrollment_end(enrollment=active(person, shanghai, scheme),
                       ends_on=datetime.date(2026, 11, 30), reason="resignation", actor=None)
    as_key(api_client, company)

    november = api_client.get(f"/api/v1/persons/{person.pk}/proof/", {"month": "2026-11"})
    december = api_client.get(f"/api/v1/persons/{person.pk}/proof/", {"month": "2026-12"})

    assert november.status_code == 200
    assert december.json()["error"]["code"] == "not_enrolled"


def test_staff_download_from_the_person_page(client, staff_user, person, company):
    staff = staff_user(Role.FINANCE)
    client.force_login(staff)

    page = client.get(f"/staff/persons/{person.pk}/").content.decode()
    response = client.get(f"/staff/persons/{person.pk}/proof.pdf", {"month": "2026-12"})

    assert 'data-testid="proof-form"' in page
    assert response.status_code == 200
    assert ProofOfEnrolment.objects.get().issued_by == staff


def test_the_portal_form_shows_a_bad_month_next_to_the_field(client, person, company):
    client.force_login(UserFactory(role=Role.CLIENT_VIEWER, client=company))

    page = client.get(f"/portal/persons/{person.pk}/").content.decode()
    bad = client.get(f"/portal/persons/{person.pk}/proof.pdf", {"month": "12/2026"})
    early = client.get(f"/portal/persons/{person.pk}/proof.pdf", {"month": "2024-01"})

    assert 'data-testid="proof-form"' in page
    assert bad.status_code == 400
    assert 'name="month"' in bad.content.decode()
    assert early.status_code == 400
    assert 'data-testid="proof-error"' in early.content.decode()


def test_staff_choose_the_client_when_several_enrolled_the_person(
        api_client, staff_user, person, company, beijing):
    # the person left the first client in Shanghai mid-December and joined another in
    # Beijing: both enrolled the person in some day of December
    other = ClientFactory(name="北京第二客户有限公司")
    enrollment_end(enrollment=active(person, person.enrollments.get(scheme="social_insurance"
                                                                   ).city),
                   ends_on=datetime.date(2026, 12, 15), reason="resignation", actor=None)
    enrollment_open(person=person, client=other, city=beijing, scheme="social_insurance",
                    starts_on=datetime.date(2026, 12, 16), actor=None, base=Decimal("9000.00"))
    api_client.force_authenticate(user=staff_user(Role.MANAGER))
    url = f"/api/v1/persons/{person.pk}/proof/"

    unnamed = api_client.get(url, {"month": "2026-12"})
    named = api_client.get(url, {"month": "2026-12", "client": other.pk})

    assert unnamed.status_code == 400
    assert [d["field"] for d in unnamed.json()["error"]["details"]] == ["client"]
    assert named.status_code == 200
    text = pdf_text(named.content)
    assert "北京第二客户有限公司" in text
    assert company.name not in text
    assert ProofOfEnrolment.objects.get().cities == "北京市"


def test_the_proof_of_a_demo_person_opens_with_chinese_text(db):
    call_command("seed_demo")
    fund = Enrollment.objects.filter(scheme="housing_fund", status="active").select_related(
        "person", "client").order_by("pk").first()

    issued = proof_issue(viewer=SYSTEM_VIEWER, person=fund.person, month=DECEMBER, actor=None,
                         site_url="https://portal.example.cn")

    text = pdf_text(issued.pdf)
    assert "参保证明" in text
    assert fund.person.name in text
    assert fund.client.name in text
    assert "住房公积金" in text and "养老保险" in text
    assert f"https://portal.example.cn/verify/{issued.proof.verification_code}/" in text


# --- cost of a proof (issue 18: a proof's PDF took 10x an invoice's) -------------------------


def test_a_proof_reads_the_city_policy_once_for_both_of_its_sections(company, person):
    """The enrolments (and their bases), the policy and its items once for the city's social
    insurance and housing fund, the client's contract and its price (work injury rate)."""
    with CaptureQueriesContext(connection) as queries:
        issued = proof_render(person=person, client=company, month=DECEMBER,
                              site_url="https://portal.example.cn", actor=None, label="test")

    assert len(queries.captured_queries) == 6
    assert "住房公积金" in pdf_text(issued.pdf)


def test_the_proof_embeds_one_font_subset_and_no_table_cells(company, person):
    """A bold heading made WeasyPrint subset the CJK font a second time; each table cell
    cost ~2 ms: the amounts are lines of text at tab stops."""
    issued = proof_render(person=person, client=company, month=DECEMBER,
                          site_url="https://portal.example.cn", actor=None, label="test")

    fonts = [line for line in pdf_fonts(issued.pdf).splitlines()[2:] if line.strip()]
    assert len(fonts) == 1
    assert "Bold" not in fonts[0]


def test_amount_columns_are_padded_to_one_width():
    """Figure spaces are as wide as a digit: every amount takes 14 digits and a point."""
    fields = [amount_field(Decimal(v)) for v in ("0.00", "75.46", "7546.00", "123456.78")]

    assert [len(f) for f in fields] == [15, 15, 15, 15]
    assert fields[1] == "\u2007" * 10 + "75.46"
    assert amount_field(None) == ""
    assert amount_columns(None, Decimal("1.00")) == "\t" + "\u2007" * 11 + "1.00"
    assert heading_field("合计") == "\u2007" * 11 + "合计"


def test_a_long_item_label_wraps_in_its_own_column_and_keeps_its_amounts(company, person):
    """An item label wider than the first column gets a box of its own (it wraps there)
    instead of pushing its amounts to the next tab stops."""
    long_label = "城镇职工大额医疗费用补助地方附加"
    item = ProofItem(kind="extra", label=long_label, base=Decimal("8000.00"),
                     employer=Decimal("12.34"), employee=Decimal("5.67"))
    short = ProofItem(kind="pension", label="养老保险", base=Decimal("8000.00"),
                      employer=Decimal("1280.00"), employee=Decimal("640.00"))
    section = proof_sections(
        enrollments=list(enrollments_in_month(person=person, month=DECEMBER)),
        month=DECEMBER)[0]
    section = dataclasses.replace(section, items=(short, item))

    html = render_to_string("enrollment/proof/proof_pdf.html", pdf_context({
        "person": person, "client": company, "month": DECEMBER, "sections": [section],
        "employer": section.employer, "employee": section.employee, "total": section.total,
        "agency_name": "机构", "code": "ABCDEFGHJKLMNPQR", "verify_url": "https://x/",
        "issued_at": datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC), "cities": "上海市",
        "headings": HEADING_COLUMNS, "totals": section.columns}))
    text = pdf_text(html_to_pdf(html))

    assert item.wide_label and not short.wide_label
    assert html.count('<span class="label">') == 1
    assert "城镇职工大额" in text and "18.01" in text and "1920.00" in text
