"""Staff and portal pages of insured persons: search, filters, masking, reveal, export."""

import io

import pytest
from openpyxl import load_workbook

from agency.models import AuditEvent
from agency.roles import Role
from tests.enrollment.factories_person import enrolled_person
from tests.factories import CityFactory, ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

NUMBER = "11010519491231002X"


def test_staff_list_shows_masked_numbers_only(client, staff_user, client_company):
    enrolled_person(client_company, name="张三", id_number=NUMBER)
    client.force_login(staff_user(Role.ADMIN))

    html = client.get("/staff/persons/").content.decode()

    assert '<td class="masked">**************002X</td>' in html
    assert NUMBER not in html
    assert "张三" in html


def test_staff_list_searches_by_name_and_last_four(client, staff_user, client_company):
    enrolled_person(client_company, name="张三", id_number=NUMBER)
    enrolled_person(client_company, name="李四")
    client.force_login(staff_user(Role.MANAGER))

    by_last4 = client.get("/staff/persons/", {"q": "002x"}).content.decode()
    by_name = client.get("/staff/persons/", {"q": "李"}).content.decode()
    by_full = client.post("/staff/persons/", {"q": NUMBER}, follow=True).content.decode()

    assert ("张三" in by_last4, "李四" in by_last4) == (True, False)
    assert ("张三" in by_name, "李四" in by_name) == (False, True)
    assert ("张三" in by_full, "李四" in by_full) == (True, False)


def test_staff_list_filters_by_client_city_and_status(client, staff_user, client_company):
    other = ClientFactory()
    beijing = CityFactory(code="110000", name="北京市")
    enrolled_person(client_company, name="上海在保")
    enrolled_person(other, name="北京在保", city=beijing)
    enrolled_person(other, name="北京停保", city=beijing, status="ended")
    client.force_login(staff_user(Role.MANAGER))

    def names(**params):
        html = client.get("/staff/persons/", params).content.decode()
        return [n for n in ("上海在保", "北京在保", "北京停保") if n in html]

    assert names() == ["上海在保", "北京在保", "北京停保"]
    assert names(client=other.pk) == ["北京在保", "北京停保"]
    assert names(city="110000", status="active") == ["北京在保"]
    assert names(status="ended") == ["北京停保"]
    assert names(status="bogus") == ["上海在保", "北京在保", "北京停保"]


def test_staff_list_query_count_does_not_grow_with_rows(
        client, staff_user, client_company, django_assert_max_num_queries):
    for _ in range(30):
        enrolled_person(client_company)
    client.force_login(staff_user(Role.MANAGER))

    with django_assert_max_num_queries(10):
        response = client.get("/staff/persons/")

    assert response.status_code == 200
    assert "共 30 人" in response.content.decode()


def test_staff_list_is_paginated(client, staff_user, client_company):
    for i in range(52):
        enrolled_person(client_company, name=f"人员{i:03d}")
    client.force_login(staff_user(Role.MANAGER))

    second = client.get("/staff/persons/", {"page": 2}).content.decode()

    assert "第 2 / 2 页" in second
    assert "人员050" in second
    assert "人员049" not in second


def test_detail_shows_masked_number_and_the_reveal_button_for_permitted_roles(
        client, staff_user, client_company):
    person = enrolled_person(client_company, id_number=NUMBER)
    client_company.service_rep = staff_user(Role.SERVICE_REP)
    client_company.save(update_fields=["service_rep"])

    client.force_login(client_company.service_rep)
    rep = client.get(f"/staff/persons/{person.pk}/").content.decode()
    client.force_login(staff_user(Role.FINANCE))
    finance = client.get(f"/staff/persons/{person.pk}/").content.decode()

    assert 'data-testid="id-number-masked">**************002X</span>' in rep
    assert NUMBER not in rep
    assert "显示完整号码" in rep
    assert "显示完整号码" not in finance


def test_reveal_shows_the_number_and_writes_an_audit_row(client, staff_user, client_company):
    person = enrolled_person(client_company, id_number=NUMBER, hukou_address="北京市东城区1号")
    user = staff_user(Role.SERVICE_REP)
    client_company.service_rep = user
    client_company.save(update_fields=["service_rep"])
    client.force_login(user)

    response = client.post(f"/staff/persons/{person.pk}/reveal/", headers={"hx-request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="id-number-revealed" class="masked">{NUMBER}</span>' in html
    assert "北京市东城区1号" in html
    assert response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action="reveal")
    assert (event.actor, event.target_id) == (user, str(person.pk))


def test_reveal_needs_post(client, staff_user, client_company):
    person = enrolled_person(client_company)
    client.force_login(staff_user(Role.ADMIN))

    assert client.get(f"/staff/persons/{person.pk}/reveal/").status_code == 405
    assert AuditEvent.objects.filter(action="reveal").count() == 0


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ARCHIVIST])
def test_staff_without_the_role_cannot_reveal_or_export(client, staff_user, client_company,
                                                         role):
    """They export masked lists only (tests/security/test_export_approval.py)."""
    person = enrolled_person(client_company)
    client.force_login(staff_user(role))

    assert client.post(f"/staff/persons/{person.pk}/reveal/").status_code == 404
    assert client.post("/staff/persons/export-requests/new/", {"reason": "x"}).status_code == 404
    assert AuditEvent.objects.filter(action__in=["reveal", "export"]).count() == 0


@pytest.mark.parametrize("role", [Role.CLIENT_ADMIN, Role.CLIENT_VIEWER])
def test_portal_users_cannot_reveal_at_all(client, client_company, role):
    person = enrolled_person(client_company, id_number=NUMBER)
    client.force_login(UserFactory(role=role, client=client_company))

    reveal = client.post(f"/staff/persons/{person.pk}/reveal/")
    detail = client.get(f"/portal/persons/{person.pk}/").content.decode()

    assert reveal.status_code == 404
    assert "**************002X" in detail
    assert NUMBER not in detail
    assert "显示完整号码" not in detail
    assert AuditEvent.objects.filter(action="reveal").count() == 0


def test_export_from_the_list_is_masked_and_audited(
        client, staff_user, client_company):
    """Full numbers need an approved request (tests/security/test_export_approval.py)."""
    enrolled_person(client_company, name="张三", id_number=NUMBER)
    enrolled_person(client_company, name="李四")
    user = staff_user(Role.MANAGER)
    client.force_login(user)

    response = client.get("/staff/persons/export.xlsx", {"q": "张"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        'attachment; filename="persons-masked-')
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[:3] for r in rows[1:]] == [("张三", "居民身份证", "**************002X")]
    event = AuditEvent.objects.get(action="export")
    assert event.actor == user
    assert event.detail == {"what": "insured_persons_masked", "count": 1,
                            "filters": {"q": "张"}}


def test_portal_list_and_detail_show_the_clients_persons(client, client_company):
    person = enrolled_person(client_company, name="王五", id_number=NUMBER)
    client.force_login(UserFactory(role=Role.CLIENT_VIEWER, client=client_company))

    listing = client.get("/portal/persons/").content.decode()
    detail = client.get(f"/portal/persons/{person.pk}/").content.decode()

    assert "王五" in listing
    assert "**************002X" in listing
    assert NUMBER not in listing + detail
    assert "身份证正面" in detail  # the papers checklist
    assert "上传材料" not in detail  # a viewer has no upload form


def test_staff_detail_lists_enrolment_history_and_change_history(
        client, staff_user, client_company):
    person = enrolled_person(client_company, status="ended")
    from tests.factories import EnrollmentFactory

    EnrollmentFactory(person=person, client=ClientFactory(name="新客户有限公司"),
                      city=CityFactory(), status="active", base=None)
    client.force_login(staff_user(Role.MANAGER))

    html = client.get(f"/staff/persons/{person.pk}/").content.decode()

    assert client_company.name in html
    assert "新客户有限公司" in html
    assert "已停保" in html
    assert "变更记录" in html


def test_reveal_without_htmx_renders_the_page_with_the_number(client, staff_user,
                                                              client_company):
    person = enrolled_person(client_company, id_number=NUMBER)
    client.force_login(staff_user(Role.ADMIN))

    response = client.post(f"/staff/persons/{person.pk}/reveal/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="id-number-revealed" class="masked">{NUMBER}</span>' in html
    assert "参保记录" in html
    assert AuditEvent.objects.filter(action="reveal").count() == 1


def test_staff_creates_a_person_and_bad_input_names_the_field(client, staff_user):
    client.force_login(staff_user(Role.SERVICE_REP))
    data = {"name": "赵六", "id_document_type": "resident_id", "id_number": "110105194912310021",
            "employment_type": "outsourced", "hukou_type": "rural_nonlocal",
            "hukou_address": "河北省保定市某村"}

    bad = client.post("/staff/persons/new/", data)
    good = client.post("/staff/persons/new/", {**data, "id_number": "11010519491231002x"})

    assert bad.status_code == 400
    assert "身份证号校验位错误 / ID number check digit is wrong" in bad.content.decode()
    from enrollment.models import InsuredPerson

    person = InsuredPerson.objects.get()
    assert good["Location"] == f"/staff/persons/{person.pk}/"
    assert (person.name, person.id_number_masked, person.employment_type, person.sex) == (
        "赵六", "**************002X", "outsourced", "F")


def test_staff_edits_a_person_keeping_the_number_when_left_empty(client, staff_user,
                                                                 client_company):
    person = enrolled_person(client_company, name="旧名", id_number=NUMBER)
    user = staff_user(Role.MANAGER)
    client.force_login(user)

    form = client.get(f"/staff/persons/{person.pk}/edit/").content.decode()
    response = client.post(f"/staff/persons/{person.pk}/edit/", {
        "name": "新名", "id_document_type": "resident_id", "id_number": "",
        "employment_type": "dispatched", "phone": "13900000000"})

    assert NUMBER not in form
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.employment_type, person.id_number_masked) == (
        "新名", "dispatched", "**************002X")
    assert person.history.first().history_user == user
    assert person.history.first().prev_record.name == "旧名"


def test_the_edit_button_sits_beside_the_heading_not_inside_it(client, staff_user,
                                                               client_company):
    # inside the <h1> the button took the heading's size and weight (issue 16's leftover)
    person = enrolled_person(client_company, name="丁子远")
    client.force_login(staff_user(Role.MANAGER))

    html = client.get(f"/staff/persons/{person.pk}/").content.decode()

    assert ('<div class="page-head"><h1>丁子远</h1><div class="page-actions">'
            f'<a class="btn secondary" href="/staff/persons/{person.pk}/edit/">编辑</a>'
            '</div></div>') in html


def test_finance_cannot_create_or_edit_persons(client, staff_user, client_company):
    person = enrolled_person(client_company)
    client.force_login(staff_user(Role.FINANCE))

    assert client.get("/staff/persons/new/").status_code == 404
    assert client.get(f"/staff/persons/{person.pk}/edit/").status_code == 404


def test_admin_lists_persons_masked_and_has_no_add(client, client_company):
    enrolled_person(client_company, name="张三", id_number=NUMBER)
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    from enrollment.models import InsuredPerson

    person = InsuredPerson.objects.get()
    changelist = client.get("/admin/enrollment/insuredperson/", {"q": "002X"}).content.decode()
    change = client.get(f"/admin/enrollment/insuredperson/{person.pk}/change/")
    history = client.get(f"/admin/enrollment/insuredperson/{person.pk}/history/")

    assert "**************002X" in changelist
    assert NUMBER not in changelist
    assert change.status_code == 200
    assert NUMBER not in change.content.decode()
    assert "gAAAAA" not in change.content.decode()
    assert history.status_code == 200
    assert client.get("/admin/enrollment/insuredperson/add/").status_code == 403
    assert client.get("/admin/enrollment/paper/").status_code == 200


def test_portal_list_query_count_does_not_grow_with_rows(
        client, client_company, django_assert_max_num_queries):
    for _ in range(20):
        enrolled_person(client_company)
    client.force_login(UserFactory(role=Role.CLIENT_VIEWER, client=client_company))

    with django_assert_max_num_queries(10):
        response = client.get("/portal/persons/")

    assert "共 20 人" in response.content.decode()


def test_bad_filter_values_never_fail_the_page(client, staff_user, client_company):
    enrolled_person(client_company, name="张三")
    client.force_login(staff_user(Role.MANAGER))

    response = client.get("/staff/persons/", {"client": "abc", "city": "x", "page": "zz",
                                              "q": "x" * 80})

    assert response.status_code == 200
    assert "张三" in response.content.decode()


def test_upload_without_a_file_names_the_field(client, staff_user, client_company):
    person = enrolled_person(client_company)
    client.force_login(staff_user(Role.MANAGER))

    response = client.post(f"/staff/persons/{person.pk}/papers/", {"kind": "photo"})

    assert response.status_code == 400
    html = response.content.decode()
    assert '<ul class="errorlist" id="id_file_error"><li>该字段是必填项。' in html


def test_staff_seal_and_unseal_a_housing_fund_from_the_detail_page(client, staff_user,
                                                                   client_company):
    person = enrolled_person(client_company, scheme="housing_fund")
    fund = person.enrollments.get()
    client.force_login(staff_user(Role.MANAGER))
    url = f"/staff/persons/{person.pk}/enrollments/{fund.pk}/"

    page = client.get(f"/staff/persons/{person.pk}/").content.decode()
    sealed = client.post(url + "seal/")
    fund.refresh_from_db()
    status_after_seal = fund.status
    again = client.post(url + "seal/", follow=True)
    client.post(url + "unseal/")
    fund.refresh_from_db()

    assert ">封存</button>" in page
    assert sealed.status_code == 302
    assert status_after_seal == "sealed"
    assert "当前状态不允许此操作 / Not allowed in the current status" in again.content.decode()
    assert fund.status == "active"


def test_seal_of_another_persons_enrolment_is_404(client, staff_user, client_company):
    person = enrolled_person(client_company, scheme="housing_fund")
    other = enrolled_person(client_company, scheme="housing_fund")
    client.force_login(staff_user(Role.MANAGER))

    response = client.post(
        f"/staff/persons/{person.pk}/enrollments/{other.enrollments.get().pk}/seal/")

    assert response.status_code == 404
