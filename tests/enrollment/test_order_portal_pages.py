"""Portal pages of roster orders: the list and detail, a new order by form, the Excel
upload, papers for lines waiting for them, read-only users, isolation between clients."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.deadlines import add_months
from agency.roles import Role
from enrollment.demo import DEMO_PDF, DEMO_PNG
from enrollment.models import Paper, RosterLine, RosterOrder
from enrollment.orders.services import order_submit
from enrollment.persons.paper_services import paper_upload
from tests.enrollment.order_fixtures import add_line, valid_id
from tests.enrollment.xlsx_builders import xlsx_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def next_month() -> datetime.date:
    return add_months(timezone.localdate().replace(day=1), 1)


def submit(client, *lines, received_at=None):
    return order_submit(client=client, lines=list(lines), channel="api", actor=None,
                        received_at=received_at)


def line(n, **over):
    return add_line(n, effective_date=next_month().isoformat(), **over)


@pytest.fixture
def hr(client, company):
    user = UserFactory(role=Role.CLIENT_ADMIN, client=company)
    client.force_login(user)
    return user


def row_data(rows: list[dict], total: int | None = None) -> dict:
    data = {"form-TOTAL_FORMS": str(total or len(rows)), "form-INITIAL_FORMS": "0",
            "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "200"}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{index}-{key}"] = value
    return data


def form_row(n, **over):
    row = {"action": "add", "name": f"员工{n}", "id_number": valid_id(n),
           "hukou_type": "urban_local", "city": "310000", "base": "8000.00",
           "effective_date": next_month().isoformat(), "housing_fund": "", "phone": "",
           "reason": ""}
    row.update(over)
    return row


def test_client_admin_submits_a_two_line_order_by_form(client, hr, company):
    response = client.post("/portal/orders/new/", row_data(
        [form_row(1), form_row(2, housing_fund="no"), {}], total=3))

    order = RosterOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/orders/{order.pk}/"
    assert (order.client, order.channel, order.submitted_by) == (company, "portal", hr)
    assert [(ln.line_no, ln.name, sorted(t.scheme for t in ln.tasks.all()))
            for ln in order.lines.all()] == [
        (1, "员工1", ["housing_fund", "social_insurance"]), (2, "员工2", ["social_insurance"])]
    page = client.get(response["Location"]).content.decode()
    assert "员工1" in page and "员工2" in page
    assert valid_id(1) not in page


def test_a_form_with_one_bad_line_saves_nothing_and_shows_the_rows_error(client, hr):
    response = client.post("/portal/orders/new/", row_data(
        [form_row(1), form_row(2, id_number="110105194912310021", base="-5")]))

    html = response.content.decode()
    assert response.status_code == 400
    assert RosterOrder.objects.count() == 0
    assert 'data-testid="error-2-id_number"' in html
    assert "身份证号校验位错误 / ID number check digit is wrong" in html
    assert 'data-testid="error-2-base"' in html
    assert 'data-testid="error-1-id_number"' not in html
    assert 'value="110105194912310021"' in html  # entered values are kept
    assert f'value="{valid_id(1)}"' in html


def test_add_a_row_keeps_the_entered_values(client, hr):
    response = client.post("/portal/orders/new/", {**row_data([form_row(1)]), "add_row": "1"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="form-TOTAL_FORMS" value="2"' in html
    assert f'value="{valid_id(1)}"' in html
    assert RosterOrder.objects.count() == 0


def test_excel_upload_creates_the_order(client, hr, company):
    data = xlsx_bytes([
        ["增减员类型", "姓名", "身份证号码", "户籍性质", "参保城市", "缴费基数", "生效日期"],
        ["增员", "王芳", valid_id(1), "城镇本地", "上海", "8000", next_month().isoformat()],
    ])

    response = client.post("/portal/orders/upload/",
                           {"file": SimpleUploadedFile("名单.xlsx", data)})

    order = RosterOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/orders/{order.pk}/"
    assert (order.channel, [ln.name for ln in order.lines.all()]) == ("excel", ["王芳"])


def test_excel_upload_lists_every_row_error(client, hr):
    data = xlsx_bytes([
        ["增减员名单"],
        ["增减员类型", "姓名", "身份证号码", "户籍性质", "参保城市", "缴费基数", "生效日期"],
        ["增员", "王芳", valid_id(1), "城镇本地", "火星", "8000", next_month().isoformat()],
        ["增员", "李娜", valid_id(2), "城镇本地", "上海", "八千", next_month().isoformat()],
    ])

    response = client.post("/portal/orders/upload/",
                           {"file": SimpleUploadedFile("名单.xlsx", data)})

    html = response.content.decode()
    assert response.status_code == 400
    assert RosterOrder.objects.count() == 0
    assert "第3行 参保城市“火星”无法识别" in html
    assert "第4行 缴费基数“八千”不是有效金额" in html
    assert 'href="/portal/orders/template.xlsx"' in html


def test_excel_upload_refuses_a_renamed_csv_clearly(client, hr):
    response = client.post("/portal/orders/upload/",
                           {"file": SimpleUploadedFile("名单.xlsx", b"a,b\n1,2\n")})

    assert response.status_code == 400
    assert "文件不是 Excel .xlsx 格式" in response.content.decode()


def test_the_portal_template_download(client, hr):
    response = client.get("/portal/orders/template.xlsx")

    assert response.status_code == 200
    assert response.content[:2] == b"PK"


def test_uploading_the_missing_papers_moves_the_line_to_received(client, hr, company):
    order = submit(company, line(1))
    waiting = order.lines.get()
    assert waiting.status == "papers_missing"
    for kind in Paper.Kind.values[:-1]:
        paper_upload(person=waiting.person, client=company, kind=kind, actor=None,
                     upload=SimpleUploadedFile("p.png", DEMO_PNG))
    detail = client.get(f"/portal/orders/{order.pk}/").content.decode()
    assert 'data-testid="missing-papers-1"' in detail
    assert 'name="kind" value="outsourcing_letter"' in detail

    response = client.post(
        f"/portal/orders/{order.pk}/lines/{waiting.pk}/papers/",
        {"kind": "outsourcing_letter", "file": SimpleUploadedFile("letter.pdf", DEMO_PDF)})

    assert response.status_code == 302
    assert response["Location"] == f"/portal/orders/{order.pk}/#line-1"
    waiting.refresh_from_db()
    assert waiting.status == "received"
    assert [t.status for t in waiting.tasks.all()] == ["received", "received"]
    assert 'data-testid="missing-papers-1"' not in client.get(
        f"/portal/orders/{order.pk}/").content.decode()


def test_a_paper_that_is_not_a_pdf_or_image_is_refused_with_a_message(client, hr, company):
    order = submit(company, line(1))
    waiting = order.lines.get()

    response = client.post(
        f"/portal/orders/{order.pk}/lines/{waiting.pk}/papers/",
        {"kind": "photo", "file": SimpleUploadedFile("photo.png", b"not an image")},
        follow=True)

    assert response.status_code == 200
    assert "仅接受 PDF、JPEG 或 PNG 文件" in response.content.decode()
    assert waiting.person.papers.count() == 0


def test_the_order_list_shows_status_channel_and_line_counts(client, hr, company):
    submit(company, line(1), line(2))

    html = client.get("/portal/orders/").content.decode()

    assert "材料不全 2" in html
    assert 'data-testid="new-order"' in html


def test_another_clients_order_and_line_answer_404_on_every_page(client, company,
                                                                  other_client_company):
    theirs = submit(company, line(1))
    their_line = theirs.lines.get()
    mine = RosterOrder.objects.create(client=other_client_company, channel="portal",
                                      received_at=timezone.now())
    client.force_login(UserFactory(role=Role.CLIENT_ADMIN, client=other_client_company))
    paper = {"kind": "photo", "file": SimpleUploadedFile("p.png", DEMO_PNG)}

    answers = {
        "detail": client.get(f"/portal/orders/{theirs.pk}/").status_code,
        "paper": client.post(f"/portal/orders/{theirs.pk}/lines/{their_line.pk}/papers/",
                             paper).status_code,
        "paper via my order": client.post(
            f"/portal/orders/{mine.pk}/lines/{their_line.pk}/papers/", paper).status_code,
        "staff detail": client.get(f"/staff/orders/{theirs.pk}/").status_code,
        "staff line": client.get(f"/staff/orders/lines/{their_line.pk}/").status_code,
        "staff file": client.get(f"/staff/orders/{theirs.pk}/files/source_file/").status_code,
        "api": client.get(f"/api/v1/orders/{theirs.pk}/").status_code,
    }

    assert answers == dict.fromkeys(answers, 404)
    assert f"#{theirs.pk}<" not in client.get("/portal/orders/").content.decode()
    assert their_line.person.papers.count() == 0


def test_a_client_viewer_sees_orders_but_cannot_submit(client, company):
    order = submit(company, line(1))
    waiting = order.lines.get()
    client.force_login(UserFactory(role=Role.CLIENT_VIEWER, client=company))
    data = xlsx_bytes([["增减员类型", "身份证号码"], ["增员", valid_id(2)]])

    listing = client.get("/portal/orders/").content.decode()
    detail = client.get(f"/portal/orders/{order.pk}/").content.decode()
    answers = [
        client.get("/portal/orders/new/").status_code,
        client.post("/portal/orders/new/", row_data([form_row(2)])).status_code,
        client.get("/portal/orders/upload/").status_code,
        client.post("/portal/orders/upload/",
                    {"file": SimpleUploadedFile("x.xlsx", data)}).status_code,
        client.post(f"/portal/orders/{order.pk}/lines/{waiting.pk}/papers/",
                    {"kind": "photo", "file": SimpleUploadedFile("p.png", DEMO_PNG)}
                    ).status_code,
    ]

    assert answers == [404, 404, 404, 404, 404]
    assert 'data-testid="new-order"' not in listing
    assert 'name="kind"' not in detail
    assert 'data-testid="missing-papers-1"' in detail
    assert RosterOrder.objects.count() == 1
    assert RosterLine.objects.get().person.papers.count() == 0


def test_the_order_list_costs_the_same_queries_for_2_and_20_orders(
    client, hr, company, django_assert_max_num_queries
):
    for n in (1, 2):
        submit(company, line(n))
    with django_assert_max_num_queries(8):
        small = client.get("/portal/orders/")
    for n in range(3, 21):
        submit(company, line(n))
    with django_assert_max_num_queries(8):
        large = client.get("/portal/orders/")

    assert small.content.decode().count('href="/portal/orders/') - large.content.decode().count(
        'href="/portal/orders/') == 2 - 20


def test_malformed_form_posts_never_answer_500(client, hr, company):
    order = submit(company, line(1))
    waiting = order.lines.get()
    answers = [
        client.post("/portal/orders/new/", {"form-TOTAL_FORMS": "abc"}).status_code,
        client.post("/portal/orders/new/", {**row_data([form_row(1)], total=99999),
                                            "add_row": "1"}).status_code,
        client.post("/portal/orders/new/", row_data([form_row(1, effective_date="2026-13-45",
                                                              base="1e999", city="x")])
                    ).status_code,
        client.post("/portal/orders/upload/", {}).status_code,
        client.post(f"/portal/orders/{order.pk}/lines/{waiting.pk}/papers/",
                    {"kind": "bogus"}).status_code,
        client.get("/portal/orders/", {"page": "x"}).status_code,
    ]

    assert answers == [400, 200, 400, 400, 302, 200]
    assert RosterOrder.objects.count() == 1
