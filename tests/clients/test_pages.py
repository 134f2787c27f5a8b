"""Staff and portal pages of the clients app."""

import datetime

import pytest

from agency.models import AuditEvent
from agency.roles import Role
from clients.models import ApiKey, Client, Contract
from tests.clients.factories import (
    ContractFactory,
    ContractPriceFactory,
    VerifiedClientFactory,
    enrol_many,
    qualified_rep,
)
from tests.factories import CityFactory, ClientFactory, UserFactory
from tests.pdf_utils import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    user = UserFactory(role=Role.MANAGER)
    client.force_login(user)
    return user


def test_client_list_searches_filters_and_is_query_bounded(client, manager,
                                                           django_assert_max_num_queries):
    rep = UserFactory(role=Role.SERVICE_REP)
    for n in range(12):
        ClientFactory(name=f"列表客户{n}", service_rep=rep, city=CityFactory())
    big = ClientFactory(name="大型客户", industry="C")
    enrol_many(big, 300)

    with django_assert_max_num_queries(8):
        page = client.get("/staff/clients/")
    large = client.get("/staff/clients/", {"tier": "large"}).content.decode()
    found = client.get("/staff/clients/", {"q": "列表客户1"}).content.decode()
    by_industry = client.get("/staff/clients/", {"industry": "C"}).content.decode()

    assert page.content.decode().count('data-testid="client-row"') == 13
    assert large.count('data-testid="client-row"') == 1
    assert "大型（300人及以上）" in large
    assert found.count('data-testid="client-row"') == 3  # 列表客户1, 10, 11
    assert by_industry.count('data-testid="client-row"') == 1


def test_client_form_shows_a_bad_uscc_next_to_the_field(client, manager):
    response = client.post("/staff/clients/new/", {
        "name": "坏公司", "uscc": "91350100M000100Y44", "ownership_type": "private",
        "industry": "C"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"uscc": [
        "统一社会信用代码校验位错误 / USCC check character is wrong"]}
    assert Client.objects.count() == 0


def test_client_create_and_edit(client, manager):
    created = client.post("/staff/clients/new/", {
        "name": "好公司", "uscc": "91350100M000100Y43", "ownership_type": "state_owned",
        "industry": "C", "office_address": "上海"})
    new = Client.objects.get()
    edited = client.post(f"/staff/clients/{new.pk}/edit/", {
        "name": "好公司二", "uscc": "91350100M000100Y43", "ownership_type": "state_owned",
        "industry": "D"})

    assert created["Location"] == f"/staff/clients/{new.pk}/"
    assert edited.status_code == 302
    new.refresh_from_db()
    assert (new.name, new.industry, new.ownership_type) == ("好公司二", "D", "state_owned")


def test_assigning_an_overloaded_rep_shows_the_load(client, manager):
    rep = qualified_rep()
    enrol_many(ClientFactory(service_rep=rep), 450)
    target = ClientFactory()
    enrol_many(target, 51)

    response = client.post(f"/staff/clients/{target.pk}/assign-rep/", {"service_rep": rep.pk},
                           follow=True)

    assert "分配后该客服专员将服务 501 名参保人员，超过上限 500 人" in response.content.decode()
    target.refresh_from_db()
    assert target.service_rep is None


def test_rep_load_page_shows_each_representative(client, manager):
    rep = qualified_rep(user__username="rep-a")
    enrol_many(ClientFactory(service_rep=rep), 42)

    html = client.get("/staff/rep-load/").content.decode()

    assert '<tr data-testid="rep-rep-a"><td>' in html
    assert '<td class="num">42</td>' in html


def test_portal_user_and_api_key_are_made_on_the_staff_pages(client, manager):
    target = ClientFactory()

    made = client.post(f"/staff/clients/{target.pk}/portal-users/new/", {
        "username": "newhr", "display_name": "新HR", "role": "client_admin",
        "password": "a-long-password-1"})
    issued = client.post(f"/staff/clients/{target.pk}/api-keys/new/", {"name": "ERP"})
    key = issued.context["key"]
    revoked = client.post(f"/staff/api-keys/{ApiKey.objects.get().pk}/revoke/")

    assert made.status_code == 302
    assert target.portal_users.get().username == "newhr"
    assert key.startswith("ck_") and key in issued.content.decode()
    assert issued["Cache-Control"] == "no-store"
    assert revoked.status_code == 302
    assert ApiKey.objects.get().revoked_at is not None
    assert AuditEvent.objects.filter(action__in=["api_key_issued", "api_key_revoked"]).count() == 2


def test_contract_form_shows_price_errors_on_the_row(client, manager):
    CityFactory(code="310000")
    target = VerifiedClientFactory()
    data = {"client": target.pk, "starts_on": "2026-01-01", "ends_on": "2099-12-31",
            "prices-TOTAL_FORMS": "3", "prices-INITIAL_FORMS": "0",
            "prices-MIN_NUM_FORMS": "1", "prices-MAX_NUM_FORMS": "1000",
            "prices-0-city": "310000", "prices-0-price_per_head": "121.00"}
    for name in ("includes_policy_consultation", "includes_claims"):
        data[name] = "on"

    refused = client.post("/staff/contracts/new/", data)
    accepted = client.post("/staff/contracts/new/", {**data, "prices-0-override_reason": "偏远"})
    contract = Contract.objects.get()
    activated = client.post(f"/staff/contracts/{contract.pk}/activate/")

    assert refused.status_code == 200
    assert refused.context["formset"].forms[0].errors["override_reason"][0].startswith(
        "服务费 121.00 超出每人每月 50–120 元")
    assert accepted["Location"] == f"/staff/contracts/{contract.pk}/"
    assert contract.included_services() == ["政策咨询", "出险理赔"]
    assert activated.status_code == 302
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE


def test_a_licence_verified_without_a_user_shows_a_dash_like_other_missing_values(
        client, manager):
    # verified_by is empty (a data migration or a factory verified it): the page said "None"
    at = datetime.datetime(2026, 11, 20, 10, 30, tzinfo=datetime.UTC)
    company = VerifiedClientFactory(licence_verified_at=at, licence_verified_by=None)
    verifier = UserFactory(role=Role.MANAGER, display_name="李娜")
    by_user = VerifiedClientFactory(licence_verified_at=at, licence_verified_by=verifier)

    html = client.get(f"/staff/clients/{company.pk}/").content.decode()
    named = client.get(f"/staff/clients/{by_user.pk}/").content.decode()

    assert "None" not in html
    assert '<span class="badge ok">已核验</span> — · 2026-11-20 18:30' in html
    assert '<span class="badge ok">已核验</span> 李娜 · 2026-11-20 18:30' in named


def test_activation_without_verified_licence_shows_the_reason(client, manager):
    contract = ContractFactory(client=ClientFactory(), ends_on=datetime.date(2099, 1, 1))

    response = client.post(f"/staff/contracts/{contract.pk}/activate/", follow=True)

    assert "客户营业执照尚未核验" in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT


def test_contract_pdf_has_client_name_and_licence_number_in_chinese(client, manager):
    from tests.clients.factories import LicenceFactory

    LicenceFactory(number="（沪）人服证字〔2024〕第0100000123号")
    contract = ContractFactory(client=ClientFactory(name="上海启明信息技术有限公司"))
    ContractPriceFactory(contract=contract)

    response = client.get(f"/staff/contracts/{contract.pk}/pdf/")

    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "社会保险代理服务合同" in text
    assert "上海启明信息技术有限公司" in text
    assert "（沪）人服证字〔2024〕第0100000123号" in text
    assert "违约责任" in text


def test_staff_pages_render_in_chinese(client, manager):
    contract = ContractFactory()
    for path in ("/staff/clients/", "/staff/contracts/", f"/staff/contracts/{contract.pk}/",
                 f"/staff/clients/{contract.client_id}/", "/staff/rep-load/",
                 "/staff/contracts/new/", "/staff/clients/new/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "客户" in response.content.decode(), path


def test_service_rep_reads_but_cannot_write(client):
    client.force_login(UserFactory(role=Role.SERVICE_REP))
    target = ClientFactory()

    assert client.get(f"/staff/clients/{target.pk}/").status_code == 200
    assert client.get("/staff/clients/new/").status_code == 404
    assert client.post(f"/staff/clients/{target.pk}/verify-licence/").status_code == 404


@pytest.mark.parametrize("model", [
    "clients/client", "clients/contract", "clients/apikey", "clients/contractreminder",
    "agency/licence", "agency/staffprofile", "agency/notification",
])
def test_admin_lists_and_history_pages_render(client, model):
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    contract = ContractFactory()
    ContractPriceFactory(contract=contract)

    assert client.get(f"/admin/{model}/").status_code == 200
    if model == "clients/contract":
        assert client.get(f"/admin/{model}/{contract.pk}/change/").status_code == 200
        assert client.get(f"/admin/{model}/{contract.pk}/history/").status_code == 200


def test_scans_are_uploaded_and_served_only_through_checked_views(client, manager, settings,
                                                                  tmp_path, portal_user,
                                                                  client_company, committed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    with committed():
        client.post(f"/staff/clients/{client_company.pk}/edit/", {
            "name": client_company.name, "uscc": client_company.uscc,
            "ownership_type": "private", "industry": "C",
            "licence_scan": SimpleUploadedFile("licence.pdf", b"%PDF-1.4 licence")})
        contract = ContractFactory(
            client=client_company,
            signed_scan=SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed"))

    licence = client.get(f"/staff/clients/{client_company.pk}/licence-scan/")
    staff_scan = client.get(f"/staff/contracts/{contract.pk}/scan/")
    client.force_login(portal_user)
    portal_scan = client.get(f"/portal/contracts/{contract.pk}/scan/")

    assert (licence.status_code, licence.content) == (200, b"%PDF-1.4 licence")
    assert licence["Content-Type"] == "application/pdf"
    assert staff_scan.content == b"%PDF-1.4 signed"
    assert portal_scan.content == b"%PDF-1.4 signed"
    assert client.get(f"/portal/contracts/{ContractFactory().pk}/scan/").status_code == 404
