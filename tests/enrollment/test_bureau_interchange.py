"""Bureau interchange (报盘/回盘): the export of submitted tasks in the bureau's layout, and
the bureau's feedback applied row by row with a report of the rows it could not apply."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from agency.models import AuditEvent
from agency.roles import Role
from clients.models import ContractPrice
from enrollment.bureau.services import bureau_feedback_import
from enrollment.models import RosterTask
from enrollment.orders.services import order_submit
from enrollment.orders.workflow import line_transition
from policies.selectors import policy_rules_for_month
from tests.enrollment.order_fixtures import (
    RECEIVED,
    active,
    add_line,
    enrolled,
    give_all_papers,
    valid_id,
)
from tests.enrollment.xlsx_builders import xlsx_bytes
from tests.factories import CityFactory

pytestmark = pytest.mark.django_db

CHENGDU_HEADERS = ["序号", "职工姓名", "证件种类", "证件号码", "缴存基数（元）", "初次缴存时间",
                   "人员身份", "个人联系电话"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def chengdu(company):
    city = CityFactory(code="510100", name="成都市")
    ContractPrice.objects.create(contract=company.contracts.get(), city=city,
                                 price_per_head="80.00")
    return city


def submit(company, lines):
    return order_submit(client=company, lines=lines, channel="api", actor=None,
                        received_at=RECEIVED)


def submitted(line, scheme=""):
    """Papers complete, then sent to the bureau."""
    give_all_papers(line.person, line.order.client)
    return line_transition(line=line, to="submitted", actor=None, scheme=scheme)


def read_sheet(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_chengdu_housing_fund_export_has_the_bureau_columns_and_full_id_numbers(
        client, staff_user, company, chengdu):
    order = submit(company, [
        add_line(1, name="张三", city="510100", schemes=["housing_fund"]),
        add_line(2, name="李四", city="510100", schemes=["housing_fund"]),
    ])
    first, second = order.lines.all()
    submitted(first)  # the second is still waiting for its papers: not exported
    client.force_login(staff_user(Role.SERVICE_REP))

    response = client.post("/staff/bureau/export.xlsx", {
        "city": "510100", "scheme": "housing_fund", "action": "add"})

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    rows = read_sheet(response.content)
    assert rows == [
        CHENGDU_HEADERS,
        ["1", "张三", "身份证", valid_id(1), "8000.00", "202612", "城镇本地", "13800000000"],
    ]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    task = first.tasks.get()
    assert event.detail == {"what": "bureau_file", "layout": "chengdu_housing_fund_opening",
                            "city": "510100", "scheme": "housing_fund", "action": "add",
                            "count": 1, "tasks": [task.pk]}
    assert second.tasks.get().status == "papers_missing"


def test_other_cities_export_in_the_generic_layout(client, staff_user, company, shanghai):
    order = submit(company, [add_line(1, name="王五", schemes=["social_insurance"])])
    submitted(order.lines.get())
    client.force_login(staff_user(Role.MANAGER))

    response = client.post("/staff/bureau/export.xlsx", {
        "city": "310000", "scheme": "social_insurance", "action": "add"})

    assert read_sheet(response.content) == [
        ["序号", "姓名", "证件类型", "证件号码", "参保城市", "险种", "业务类型", "缴费基数",
         "生效月份", "联系电话"],
        ["1", "王五", "身份证", valid_id(1), "上海市", "社保", "增员", "8000.00", "2026-12",
         "13800000000"],
    ]


def test_a_min_base_is_exported_as_the_floor_of_the_policy_in_force(
        client, staff_user, company, shanghai, policies):
    order = submit(company, [add_line(1, name="王五", base="min", schemes=["housing_fund"])])
    submitted(order.lines.get())
    floor = policy_rules_for_month(city=shanghai, month=datetime.date(2026, 12, 1)).item(
        "housing_fund").base_floor
    client.force_login(staff_user(Role.ADMIN))

    response = client.post("/staff/bureau/export.xlsx", {
        "city": "310000", "scheme": "housing_fund", "action": "add"})

    assert read_sheet(response.content)[1][7] == f"{floor:.2f}"


def test_finance_staff_may_not_export_and_bad_input_is_a_400(client, staff_user, company):
    client.force_login(staff_user(Role.FINANCE))
    assert client.get("/staff/bureau/").status_code == 404
    assert "/staff/bureau/" not in client.get("/staff/persons/").content.decode()

    client.force_login(staff_user(Role.SERVICE_REP))
    page = client.get("/staff/bureau/")
    assert page.status_code == 200
    assert 'href="/staff/bureau/"' in client.get("/staff/persons/").content.decode()
    bad = client.post("/staff/bureau/export.xlsx", {"city": "999999", "scheme": "x"})

    assert bad.status_code == 400
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 0


def _feedback_set_up(company, shanghai):
    """Four rows' worth: an add and a remove submitted, an add not yet submitted."""
    enrolled(company, shanghai, 5, name="赵六")
    order = submit(company, [
        add_line(1, name="张三", schemes=["social_insurance"]),
        {"action": "remove", "id_number": valid_id(5), "city": "310000",
         "effective_date": "2026-12-31", "reason": "resignation"},
        add_line(3, name="孙七", schemes=["social_insurance"]),
    ])
    adding, removing, waiting = order.lines.all()
    submitted(adding)
    line_transition(line=removing, to="submitted", actor=None)
    return adding, removing, waiting


FEEDBACK_HEADER = ["证件号码", "姓名", "办理状态", "原因"]


def test_feedback_applies_the_good_rows_and_reports_the_others(company, shanghai, staff_user):
    adding, removing, waiting = _feedback_set_up(company, shanghai)
    data = xlsx_bytes([
        FEEDBACK_HEADER,
        [valid_id(1), "张三", "成功", ""],
        [valid_id(5), "赵六", "失败", "社保卡未注销"],
        [valid_id(77), "陌生人", "成功", ""],
        [valid_id(3), "孙七", "成功", ""],
    ])

    report = bureau_feedback_import(data=data, city=shanghai, scheme="social_insurance",
                                    actor=staff_user())

    assert (report.succeeded, report.failed, report.unmatched) == (1, 1, 2)
    assert [(d.line, d.code) for d in report.problems] == [
        (3, "unknown_id"), (4, "no_submitted_task")]
    assert report.problems[0].message.startswith("第4行 陌生人 证件号码不在本机构的人员名册中")
    assert report.problems[1].message.startswith("第5行 孙七 该人员在此城市和险种没有已报送")
    assert report.summary.startswith("成功 1 条，失败 1 条，未处理 2 条")
    adding.refresh_from_db()
    removing.refresh_from_db()
    assert adding.status == "succeeded"
    assert active(adding.person, shanghai).starts_on.isoformat() == "2026-12-01"
    assert (removing.status, removing.failure_reason) == ("failed", "社会保险: 社保卡未注销")
    assert removing.tasks.get().reason == "社保卡未注销"
    assert active(removing.person, shanghai) is not None
    assert waiting.tasks.get().status == "papers_missing"


def test_a_refused_transition_is_reported_and_the_other_rows_stand(company, shanghai):
    person = enrolled(company, shanghai, 5, name="赵六")
    order = submit(company, [
        add_line(1, name="张三", schemes=["social_insurance"]),
        {"action": "remove", "id_number": valid_id(5), "city": "310000",
         "effective_date": "2026-12-31", "reason": "resignation"},
    ])
    adding, removing = order.lines.all()
    submitted(adding)
    line_transition(line=removing, to="submitted", actor=None)
    # the enrolment ended some other way meanwhile: the removal can no longer succeed
    enrollment = active(person, shanghai)
    enrollment.status = "ended"
    enrollment.save()
    data = xlsx_bytes([FEEDBACK_HEADER, [valid_id(5), "赵六", "成功", ""],
                       [valid_id(1), "张三", "办理成功", ""], [valid_id(1), "张三", "成功", ""]])

    report = bureau_feedback_import(data=data, city=shanghai, scheme="social_insurance",
                                    actor=None)

    assert [(d.line, d.code) for d in report.problems] == [
        (1, "transition_refused"), (3, "no_submitted_task")]
    assert "该人员已不在保" in report.problems[0].message
    assert RosterTask.objects.get(line=removing).status == "submitted"
    assert RosterTask.objects.get(line=adding).status == "succeeded"


def test_a_failure_without_a_reason_gets_one_and_unreadable_rows_are_reported(company,
                                                                                  shanghai):
    adding, _removing, _waiting = _feedback_set_up(company, shanghai)
    data = xlsx_bytes([FEEDBACK_HEADER, [valid_id(1), "张三", "失败", None],
                       ["", "无名", "成功", ""], [valid_id(5), "赵六", "待定", ""]])

    report = bureau_feedback_import(data=data, city=shanghai, scheme="social_insurance",
                                    actor=None)

    assert report.failed == 1
    assert adding.tasks.get().reason.startswith("经办机构回盘：办理失败")
    assert [(d.line, d.field, d.code) for d in report.problems] == [
        (2, "id_number", "required"), (3, "status", "status_unknown")]


def test_feedback_page_shows_the_summary_and_row_numbers(client, staff_user, company,
                                                         shanghai):
    _feedback_set_up(company, shanghai)
    client.force_login(staff_user(Role.SERVICE_REP))
    data = xlsx_bytes([FEEDBACK_HEADER, [valid_id(1), "张三", "成功", ""],
                       [valid_id(77), "陌生人", "成功", ""]])
    upload = io.BytesIO(data)
    upload.name = "回盘.xlsx"

    response = client.post("/staff/bureau/feedback/", {
        "city": "310000", "scheme": "social_insurance", "file": upload})

    html = response.content.decode()
    assert response.status_code == 200
    assert "成功 1 条，失败 0 条，未处理 1 条" in html
    assert "第3行 陌生人 证件号码不在本机构的人员名册中" in html


def test_a_file_that_is_not_a_workbook_is_a_400_on_the_page(client, staff_user, shanghai):
    client.force_login(staff_user(Role.SERVICE_REP))
    upload = io.BytesIO(b"id,name\n1,2\n")
    upload.name = "回盘.xlsx"

    response = client.post("/staff/bureau/feedback/", {
        "city": "310000", "scheme": "social_insurance", "file": upload})

    assert response.status_code == 400
    assert 'data-testid="feedback-error"' in response.content.decode()
