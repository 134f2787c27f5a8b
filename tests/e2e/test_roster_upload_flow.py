"""A client's HR manager uploads an Excel roster with one bad row, sees the error named
against that row, fixes it and uploads again: the order is created. Once the agency has
handled the lines (through the services, as staff would), the manager downloads the
person's proof of enrolment, a PDF with the masked ID number (issue 16)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agency.deadlines import add_months
from agency.roles import Role
from enrollment.models import ProofOfEnrolment, RosterOrder
from enrollment.orders.workflow import line_transition
from tests.e2e.steps import PdfCatcher, log_in
from tests.enrollment.order_fixtures import give_all_papers, valid_id
from tests.enrollment.xlsx_builders import xlsx_bytes
from tests.factories import UserFactory
from tests.pdf_utils import pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["姓名", "身份证号码", "增减员类型", "参保城市", "户籍性质", "缴费基数", "生效日期"]


def roster(month, city_of_second: str) -> bytes:
    return xlsx_bytes([
        ["增减员名单"], HEADER,
        ["王芳", valid_id(1), "增员", "上海", "城镇本地", "8000", f"{month:%Y-%m-%d}"],
        ["李娜", valid_id(2), "增员", city_of_second, "农村外地", "最低", f"{month:%Y-%m-%d}"],
    ])


def upload(page, name: str, data: bytes) -> None:
    page.get_by_label("增减员名单（.xlsx）").set_input_files(
        files=[{"name": name, "mimeType": XLSX, "buffer": data}])
    page.get_by_role("button", name="上传", exact=True).click()


def test_an_hr_manager_fixes_a_bad_row_and_later_downloads_a_proof(
        live_server, page, shots, company, policies):
    hr = UserFactory(role=Role.CLIENT_ADMIN, client=company)
    month = add_months(timezone.localdate().replace(day=1), 1)

    log_in(page, live_server, hr, face="portal")
    page.get_by_role("navigation").get_by_role("link", name="增减员派单").click()
    page.get_by_role("link", name="上传 Excel 名单").click()
    shots("upload-page")

    upload(page, "名单.xlsx", roster(month, "火星"))
    errors = page.get_by_test_id("upload-errors").get_by_role("listitem")
    expect(errors).to_have_count(1)
    expect(errors).to_contain_text("第4行 参保城市“火星”无法识别")
    shots("bad-row-named")
    assert RosterOrder.objects.count() == 0  # nothing of a refused file is kept

    upload(page, "名单（改）.xlsx", roster(month, "北京"))
    page.wait_for_url(f"{live_server.url}/portal/orders/*/")
    order = RosterOrder.objects.get()
    assert page.url == f"{live_server.url}/portal/orders/{order.pk}/"
    expect(page.get_by_test_id("line-1")).to_contain_text("王芳")
    expect(page.get_by_test_id("line-2")).to_contain_text("北京市")
    shots("order-created")

    # the agency collects the papers and files both lines with the bureau
    for line in order.lines.all():
        give_all_papers(line.person, company)
        line.refresh_from_db()
        for to in ("submitted", "succeeded"):
            line_transition(line=line, to=to, scheme="", reason="", actor=None)
    wang = order.lines.get(line_no=1).person

    page.get_by_role("navigation").get_by_role("link", name="参保人员").click()
    page.get_by_role("link", name="王芳").click()
    page.wait_for_url(f"{live_server.url}/portal/persons/{wang.pk}/")
    proof_form = page.get_by_test_id("proof-form")
    proof_form.get_by_label("月份").fill(f"{month:%Y-%m}")
    shots("person-proof-form")
    proofs = PdfCatcher(page, "**/proof.pdf?*")
    proof_form.get_by_role("button", name="下载参保证明（PDF）").click()
    page.wait_for_url(f"{live_server.url}/portal/persons/{wang.pk}/proof.pdf?*")
    [pdf] = proofs.pdfs

    assert pdf[:5] == b"%PDF-"
    text = pdf_text(pdf)
    proof = ProofOfEnrolment.objects.get()
    assert wang.id_number_masked in text
    assert valid_id(1) not in text
    assert company.name in text
    assert f"{month:%Y-%m}" in text
    assert proof.verification_code in text
    assert (proof.person, proof.client, proof.month) == (wang, company, month)
    page.wait_for_timeout(500)  # the viewer draws the page
    shots("proof-pdf")
