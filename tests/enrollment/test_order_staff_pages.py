"""Staff pages of roster orders: the work queue by the 48-hour deadline, a line with its
history and transitions, orders, and the intake of an e-mailed order."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.deadlines import add_months
from agency.models import AuditEvent
from agency.roles import Role
from enrollment.demo import DEMO_PDF
from enrollment.models import RosterOrder
from enrollment.orders.services import order_submit
from enrollment.orders.workflow import line_transition
from tests.enrollment.order_fixtures import add_line, give_all_papers, valid_id
from tests.enrollment.xlsx_builders import xlsx_bytes

pytestmark = pytest.mark.django_db

EML = (b"From: hr@example.com\r\nTo: service@agency.example\r\nSubject: =?UTF-8?B?5aKe5YeP5ZGY?="
       b"\r\n\r\nPlease see the attached roster.\r\n")


def next_month() -> datetime.date:
    return add_months(timezone.localdate().replace(day=1), 1)


def line(n, **over):
    return add_line(n, effective_date=next_month().isoformat(), **over)


def submit(client, *lines, hours_ago: float = 0):
    return order_submit(client=client, lines=list(lines), channel="api", actor=None,
                        received_at=timezone.now() - datetime.timedelta(hours=hours_ago))


@pytest.fixture
def rep(client, staff_user):
    user = staff_user(Role.SERVICE_REP)
    client.force_login(user)
    return user


def queue_names(html: str, names: list[str]) -> list[str]:
    return sorted((n for n in names if n in html), key=html.index)


def test_the_work_queue_is_ordered_by_handle_by_and_flags_the_overdue(client, rep, company):
    submit(company, line(1, name="较新"), hours_ago=1)
    submit(company, line(2, name="超时"), hours_ago=50)
    submit(company, line(3, name="较早"), hours_ago=30)

    html = client.get("/staff/orders/queue/").content.decode()

    assert queue_names(html, ["较新", "超时", "较早"]) == ["超时", "较早", "较新"]
    assert html.count('data-testid="overdue"') == 1
    assert "超时 2 小时 0 分钟" in html
    assert "剩余 17 小时 59 分钟" in html
    assert "身份证正面" in html  # the missing papers of each line


def test_the_work_queue_filters_by_client_city_status_and_action(client, rep, company):
    submit(company, line(1, name="上海员工"), line(2, name="北京员工", city="110000"))

    def names(**params):
        return queue_names(client.get("/staff/orders/queue/", params).content.decode(),
                           ["上海员工", "北京员工"])

    assert names() == ["上海员工", "北京员工"]
    assert names(city="110000") == ["北京员工"]
    assert names(client=company.pk, status="papers_missing", action="add") == [
        "上海员工", "北京员工"]
    assert names(status="submitted") == []
    assert names(action="remove") == []


def test_the_work_queue_costs_the_same_queries_for_3_and_30_lines(
    client, rep, company, django_assert_max_num_queries
):
    submit(company, *[line(n) for n in range(1, 4)])
    with django_assert_max_num_queries(12):
        small = client.get("/staff/orders/queue/")
    submit(company, *[line(n, city="110000") for n in range(4, 31)])
    with django_assert_max_num_queries(12):
        large = client.get("/staff/orders/queue/")

    assert large.content.decode().count('data-testid="queue-line"') == 30
    assert small.content.decode().count('data-testid="queue-line"') == 3


def test_a_line_goes_through_the_workflow_on_its_page(client, rep, company):
    order = submit(company, line(1, housing_fund=False))
    target = order.lines.get()
    give_all_papers(target.person, company)
    target.refresh_from_db()
    url = f"/staff/orders/lines/{target.pk}/"
    post = f"{url}transition/"

    submitted = client.post(post, {"to": "submitted", "scheme": "", "reason": ""})
    no_reason = client.post(post, {"to": "failed", "scheme": "", "reason": ""}, follow=True)
    illegal = client.post(post, {"to": "received", "scheme": "social_insurance", "reason": ""},
                          follow=True)
    failed = client.post(post, {"to": "failed", "scheme": "social_insurance",
                                "reason": "人员信息不符"}, follow=True)

    assert target.status == "received"  # complete papers released it
    assert submitted.status_code == 302
    assert submitted["Location"] == url
    assert (no_reason.status_code, illegal.status_code, failed.status_code) == (200, 200, 200)
    assert "请填写原因 / A reason is required" in no_reason.content.decode()
    assert "不能从「已报送」变为「已受理」" in illegal.content.decode()
    target.refresh_from_db()
    assert (target.status, target.failure_reason) == ("failed", "社会保险: 人员信息不符")
    page = failed.content.decode()
    assert "人员信息不符" in page
    assert page.count("<td>已报送</td>") == 2  # history: the task's record and the line's


def test_read_only_staff_see_a_line_but_cannot_move_it(client, staff_user, company):
    order = submit(company, line(1))
    target = order.lines.get()
    client.force_login(staff_user(Role.FINANCE))

    page = client.get(f"/staff/orders/lines/{target.pk}/")
    post = client.post(f"/staff/orders/lines/{target.pk}/transition/", {"to": "cancelled"})
    intake = client.get("/staff/orders/email/")

    assert page.status_code == 200
    assert 'data-testid="transition-form"' not in page.content.decode()
    assert (post.status_code, intake.status_code) == (404, 404)
    target.refresh_from_db()
    assert target.status == "papers_missing"


def test_staff_order_list_and_detail(client, rep, company):
    order = submit(company, line(1, name="王芳"))

    listing = client.get("/staff/orders/").content.decode()
    detail = client.get(f"/staff/orders/{order.pk}/").content.decode()

    assert company.name in listing
    assert f'href="/staff/orders/{order.pk}/"' in listing
    assert "王芳" in detail
    assert f'href="/staff/orders/lines/{order.lines.get().pk}/"' in detail


def email_workbook() -> bytes:
    return xlsx_bytes([
        ["增减员类型", "姓名", "身份证号码", "户籍性质", "参保城市", "缴费基数", "生效日期"],
        ["增员", "王芳", valid_id(1), "城镇本地", "上海", "8000", next_month().isoformat()],
    ])


def test_email_intake_keeps_the_sealed_scan_and_the_email(client, rep, company, committed):
    with committed():
        response = client.post("/staff/orders/email/", {
            "client": company.pk,
            "workbook": SimpleUploadedFile("名单.xlsx", email_workbook()),
            "sealed_scan": SimpleUploadedFile("盖章名单.pdf", DEMO_PDF),
            "correspondence": SimpleUploadedFile("邮件.eml", EML),
            "received_at": "", "note": "客户邮件 11月27日",
        })

    order = RosterOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/orders/{order.pk}/"
    assert (order.client, order.channel, order.submitted_by, order.note) == (
        company, "email", rep, "客户邮件 11月27日")
    assert [ln.name for ln in order.lines.all()] == ["王芳"]
    with order.sealed_scan.open("rb") as scan:
        assert scan.read() == DEMO_PDF
    with order.correspondence.open("rb") as mail:
        assert mail.read() == EML
    assert order.correspondence.name.endswith(".eml")
    assert order.source_file.name.endswith(".xlsx")


def test_staff_download_an_orders_files_and_each_download_is_audited(client, rep, company,
                                                                    committed):
    with committed():
        client.post("/staff/orders/email/", {
            "client": company.pk,
            "workbook": SimpleUploadedFile("名单.xlsx", email_workbook()),
            "sealed_scan": SimpleUploadedFile("盖章名单.pdf", DEMO_PDF),
            "correspondence": SimpleUploadedFile("邮件.eml", EML),
        })
    order = RosterOrder.objects.get()

    detail = client.get(f"/staff/orders/{order.pk}/").content.decode()
    mail = client.get(f"/staff/orders/{order.pk}/files/correspondence/")
    bogus = client.get(f"/staff/orders/{order.pk}/files/note/")

    assert f'href="/staff/orders/{order.pk}/files/sealed_scan/"' in detail
    assert (mail.status_code, mail.content) == (200, EML)
    assert mail["Content-Disposition"] == (
        f'attachment; filename="order-{order.pk}-correspondence.eml"')
    assert bogus.status_code == 404
    assert list(AuditEvent.objects.filter(action="download").values_list(
        "target_id", "detail__file", "actor")) == [(str(order.pk), "correspondence", rep.pk)]


def test_email_intake_refuses_a_scan_that_is_not_a_pdf_or_image(client, rep, company):
    response = client.post("/staff/orders/email/", {
        "client": company.pk,
        "workbook": SimpleUploadedFile("名单.xlsx", email_workbook()),
        "sealed_scan": SimpleUploadedFile("scan.pdf", b"plain text"),
        "correspondence": SimpleUploadedFile("mail.eml", EML),
    })

    assert response.status_code == 400
    assert "盖章扫描件仅接受 PDF、JPEG 或 PNG 文件" in response.content.decode()
    assert RosterOrder.objects.count() == 0


def test_email_intake_lists_the_rows_errors(client, rep, company):
    bad = xlsx_bytes([["增减员类型", "身份证号码", "参保城市", "生效日期"],
                      ["增员", valid_id(1), "上海", "明天"]])

    response = client.post("/staff/orders/email/", {
        "client": company.pk,
        "workbook": SimpleUploadedFile("名单.xlsx", bad),
        "sealed_scan": SimpleUploadedFile("scan.pdf", DEMO_PDF),
        "correspondence": SimpleUploadedFile("mail.eml", EML),
    })

    html = response.content.decode()
    assert response.status_code == 400
    assert "第2行 生效日期“明天”不是有效日期" in html
    assert RosterOrder.objects.count() == 0


def test_malformed_staff_input_never_answers_500(client, rep, company):
    target = submit(company, line(1)).lines.get()

    answers = [
        client.get("/staff/orders/queue/", {"client": "x", "city": "?", "page": "-1"}
                   ).status_code,
        client.post(f"/staff/orders/lines/{target.pk}/transition/",
                    {"to": "bogus", "scheme": "none"}).status_code,
        client.post("/staff/orders/email/", {"client": "99999", "received_at": "yesterday"}
                    ).status_code,
    ]

    assert answers == [200, 400, 400]
    target.refresh_from_db()
    assert target.status == "papers_missing"


def test_a_succeeded_line_shows_no_move_and_no_countdown(client, staff_user, company):
    order = submit(company, line(1))
    target = order.lines.get()
    manager = staff_user(Role.MANAGER)
    give_all_papers(target.person, company)
    target.refresh_from_db()
    line_transition(line=target, to="submitted", actor=manager)
    line_transition(line=target, to="succeeded", actor=manager)
    client.force_login(manager)

    page = client.get(f"/staff/orders/lines/{target.pk}/").content.decode()

    assert 'data-testid="line-status">成功<' in page
    assert ('data-testid="transition-form"' in page, 'data-testid="time-left"' in page) == (
        False, False)
