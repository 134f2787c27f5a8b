"""Staff pages of bureau reconciliation: upload, runs, a run's differences, decisions, the
Excel report, and who may do what. Figures as in `test_reconciliation.py`."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from agency.models import AuditEvent
from agency.roles import Role
from billing.models import Difference, ReconciliationRun
from enrollment.persons.services import person_id_number
from tests.billing.test_reconciliation import (
    bill_four,
    figures_at,
    four_changes,
    run_of,
    wide_file,
)
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def billed_month(two_city_client):
    return bill_four(two_city_client)


def login(client, role):
    user = UserFactory(role=role)
    client.force_login(user)
    return user


@pytest.fixture
def run(billed_month):
    return run_of(four_changes(billed_month, InsuredPersonFactory(name="戊")))


def upload(client, data, name="缴费明细.xlsx", **fields):
    from policies.models import City

    post = {"city": City.objects.get(code="310000").pk, "month": "2026-11",
            "scheme": "social_insurance", **fields,
            "file": SimpleUploadedFile(name, data)}
    return client.post(reverse("staff-billing-reconciliation-upload"), post)


def texts(html: str, testid: str) -> list[str]:
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m)).strip() for m in re.findall(
        rf'data-testid="{testid}"[^>]*>(.*?)</', html, re.S)]


def test_finance_uploads_the_bureau_file_and_sees_the_four_differences(client, billed_month):
    finance = login(client, Role.FINANCE)
    data = four_changes(billed_month, InsuredPersonFactory(name="戊"))

    response = upload(client, data)

    run = ReconciliationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff-billing-reconciliation-detail", args=[run.pk])
    assert run.uploaded_by == finance and run.differences_found == 4
    page = client.get(response["Location"]).content.decode()
    assert texts(page, "delta") == ["3716.00", "-3716.00", "371.60", "0.01"]
    assert [texts(page, f"count-{k}") for k in ("base", "not_billed", "not_charged",
                                                 "rounding")] == [["1"]] * 4
    assert page.count('data-testid="accept"') == 4
    assert person_id_number(billed_month["乙"]) not in page  # masked numbers only
    listing = client.get(reverse("staff-billing-reconciliation-list")).content.decode()
    assert texts(listing, "open-count") == ["4"]


def test_a_file_with_a_bad_row_comes_back_with_row_and_field_and_saves_nothing(
        client, billed_month):
    login(client, Role.FINANCE)
    data = wide_file([("甲", "", figures_at("10000"))])

    response = upload(client, data)

    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="upload-errors"' in page
    assert re.search(r'<td class="num">1</td><td>[^<]*</td>', page)
    assert ReconciliationRun.objects.count() == 0


def test_the_status_filter_and_the_decisions(client, run):
    login(client, Role.FINANCE)
    rounding = run.differences.get(kind="rounding")
    stranger = run.differences.get(kind="not_billed")
    detail = reverse("staff-billing-reconciliation-detail", args=[run.pk])

    response = client.post(reverse("staff-billing-reconciliation-difference-accept",
                                   args=[rounding.pk]), {"status": "open"})
    assert response.status_code == 302 and response["Location"] == f"{detail}?status=open"
    response = client.post(reverse("staff-billing-reconciliation-difference-bureau-error",
                                   args=[stranger.pk]), {"note": ""})
    assert Difference.objects.get(pk=stranger.pk).status == "open"  # a note is required
    client.post(reverse("staff-billing-reconciliation-difference-bureau-error",
                        args=[stranger.pk]), {"note": "非本单位员工"})

    assert sorted(run.differences.values_list("kind", "status", "note")) == [
        ("base", "open", ""), ("not_billed", "bureau_error", "非本单位员工"),
        ("not_charged", "open", ""), ("rounding", "accepted", "")]
    open_page = client.get(f"{detail}?status=open").content.decode()
    assert texts(open_page, "delta") == ["-3716.00", "371.60"]
    accepted_page = client.get(f"{detail}?status=accepted").content.decode()
    assert texts(accepted_page, "delta") == ["0.01"]

    client.post(reverse("staff-billing-reconciliation-accept-kind", args=[run.pk]),
                {"kind": "not_charged"})
    assert run.differences.get(kind="not_charged").status == "accepted"


def test_the_report_has_every_difference_typed_and_its_download_is_audited(client, run):
    finance = login(client, Role.FINANCE)
    difference = run.differences.get(kind="rounding")
    difference.note = "=HYPERLINK(1)"
    difference.save()

    response = client.get(reverse("staff-billing-reconciliation-xlsx", args=[run.pk]))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    masked = {d.name: d.id_number_masked for d in run.differences.all()}
    assert rows == [
        ["类别", "状态", "客户", "姓名", "证件号码", "险种", "账单基数", "社保局基数", "账单金额",
         "社保局金额", "差额", "备注", "处理人", "处理时间"],
        ["社保局已收、未出账", "待处理", None, "戊", masked["戊"], "全部险种", None, 10000, None,
         3716, 3716, None, None, None],
        ["已出账、社保局未收", "待处理", "上海启明信息技术有限公司", "乙", masked["乙"], "全部险种",
         10000, None, 3716, None, -3716, None, None, None],
        ["基数不同", "待处理", "上海启明信息技术有限公司", "丙", masked["丙"], "全部险种", 8000,
         9000, 2972.8, 3344.4, 371.6, None, None, None],
        ["仅舍入差异", "待处理", "上海启明信息技术有限公司", "丁", masked["丁"], "养老保险", 10000,
         10000, 2400, 2400.01, 0.01, "'=HYPERLINK(1)", None, None],
        ["合计", None, None, None, None, None, None, None, None, None, 371.61, None, None, None],
    ]
    assert sheet.cell(row=4, column=11).number_format == "0.00"
    event = AuditEvent.objects.get(action="download")
    assert (event.actor, event.target_id, event.detail["file"]) == (
        finance, str(run.pk), "reconciliation_xlsx")


def test_a_service_rep_reads_but_does_not_act_and_an_archivist_sees_nothing(client, run):
    difference = run.differences.get(kind="rounding")
    login(client, Role.SERVICE_REP)
    detail = reverse("staff-billing-reconciliation-detail", args=[run.pk])
    page = client.get(detail)
    assert page.status_code == 200
    assert 'data-testid="accept"' not in page.content.decode()
    assert 'data-testid="upload-form"' not in client.get(
        reverse("staff-billing-reconciliation-list")).content.decode()
    for url in (reverse("staff-billing-reconciliation-difference-accept", args=[difference.pk]),
                reverse("staff-billing-reconciliation-accept-kind", args=[run.pk]),
                reverse("staff-billing-reconciliation-upload")):
        assert client.post(url, {"kind": "rounding", "note": "x"}).status_code == 404
    assert Difference.objects.get(pk=difference.pk).status == "open"

    login(client, Role.ARCHIVIST)
    for url in (reverse("staff-billing-reconciliation-list"), detail,
                reverse("staff-billing-reconciliation-xlsx", args=[run.pk])):
        assert client.get(url).status_code == 404
    portal_user = UserFactory(role=Role.CLIENT_ADMIN, client=run.differences.exclude(
        client=None).first().client)
    client.force_login(portal_user)
    assert client.get(detail).status_code == 404


def test_the_pages_query_a_fixed_number_of_times(client, run, billed_month,
                                                 django_assert_max_num_queries):
    login(client, Role.FINANCE)
    for name in ("庚", "辛", "壬"):
        run_of(four_changes(billed_month, InsuredPersonFactory(name=name)))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("staff-billing-reconciliation-list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("staff-billing-reconciliation-detail",
                                  args=[run.pk])).status_code == 200


def test_the_back_office_shows_runs_and_differences_with_their_history(client, run):
    user = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    difference = run.differences.get(kind="rounding")
    client.post(reverse("staff-billing-reconciliation-difference-accept", args=[difference.pk]))

    assert client.get(f"/admin/billing/reconciliationrun/{run.pk}/change/").status_code == 200
    assert client.get("/admin/billing/difference/").status_code == 200
    history = client.get(f"/admin/billing/difference/{difference.pk}/history/")
    assert history.status_code == 200 and user.username in history.content.decode()
    assert client.get(f"/admin/billing/difference/{difference.pk}/delete/").status_code == 403
