"""The audit log: append-only (model, admin, database), searchable by admins and managers
on /staff/audit/ with a CSV export that is itself audited, and written by every action
the security issue names: exports, imports, bill issue, policy edits, user and API-key
management (logins, reveals and downloads are tested where they are written)."""

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from agency.audit import AuditFilters, audit_event_search
from agency.errors import ValidationFailed
from agency.models import AuditEvent, AuditLogIsAppendOnly, User
from agency.roles import Role
from agency.services import audit_record
from agency.viewer import Viewer
from billing.models import Bill
from billing.reconciliation_services import reconciliation_run
from billing.services import bill_generate, bill_issue
from clients.models import ApiKey
from clients.services import api_key_issue, api_key_revoke, portal_user_create
from enrollment.bureau.services import bureau_feedback_import
from enrollment.models import InsuredPerson, RosterOrder
from enrollment.orders.services import order_import_xlsx, order_submit
from enrollment.orders.workflow import line_transition
from enrollment.persons.services import person_export, person_id_number
from policies.models import City, PolicyVersion
from policies.policy_file import POLICY_FILE, read_policy_file
from policies.services import (
    policies_load,
    policy_item_add,
    policy_item_update,
    policy_version_copy,
    policy_version_create,
    policy_version_supersede,
    policy_version_update,
)
from tests.billing.conftest import NOV, enrol, two_city_client  # noqa: F401 (fixture)
from tests.billing.test_reconciliation import figures_at, wide_file
from tests.enrollment.order_fixtures import RECEIVED, add_line, give_all_papers, valid_id
from tests.enrollment.xlsx_builders import xlsx_bytes
from tests.factories import ClientFactory, UserFactory
from tests.policies.factories import PolicyItemFactory, PolicyVersionFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def only_row(**filters) -> AuditEvent:
    """The one audit row matching `filters` (fails when there are none or several)."""
    rows = list(AuditEvent.objects.filter(**filters))
    assert len(rows) == 1, [(r.action, r.target_type, r.target_id, r.detail) for r in rows]
    return rows[0]


def target_of(event: AuditEvent) -> tuple[str, str]:
    return event.target_type, event.target_id


# --- append-only --------------------------------------------------------------------------


def test_a_saved_row_cannot_be_changed_or_deleted_through_the_model():
    event = audit_record(actor=None, action=AuditEvent.Action.EXPORT, detail={"count": 1})

    event.detail = {"count": 0}
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="other")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.values_list("action", "detail").get() == ("export", {"count": 1})


def test_postgresql_refuses_update_and_delete_of_audit_rows_written_around_the_model():
    event = audit_record(actor=None, action=AuditEvent.Action.EXPORT)

    for sql in ("UPDATE agency_auditevent SET action = 'other' WHERE id = %s",
                "DELETE FROM agency_auditevent WHERE id = %s"):
        with (pytest.raises(DatabaseError, match="append-only"), transaction.atomic(),
              connection.cursor() as cursor):
            cursor.execute(sql, [event.pk])

    assert AuditEvent.objects.values_list("pk", "action").get() == (event.pk, "export")


@pytest.fixture
def superuser(db):
    return UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)


def test_the_admin_shows_the_log_read_only_even_to_a_superuser(client, superuser):
    event = audit_record(actor=superuser, action=AuditEvent.Action.EXPORT)
    client.force_login(superuser)
    base = "/admin/agency/auditevent/"

    assert client.get(base).status_code == 200
    assert client.get(f"{base}{event.pk}/change/").status_code == 200  # view only
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}add/", {"action": "login"}).status_code == 403
    assert client.post(f"{base}{event.pk}/change/", {"action": "other"}).status_code == 403
    assert client.get(f"{base}{event.pk}/delete/").status_code == 403
    assert client.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = client.post(base, {"action": "delete_selected", "_selected_action": [event.pk],
                              "post": "yes"})
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.values_list("pk", "action").get(pk=event.pk) == (
        event.pk, "export")
    assert AuditEvent.objects.filter(action="export").count() == 1


# --- the search page ------------------------------------------------------------------------


@pytest.fixture
def events(monkeypatch):
    """Three rows on three local days, written at chosen times."""
    manager = UserFactory(username="alice", role=Role.MANAGER)
    rep = UserFactory(username="bob", role=Role.SERVICE_REP)
    made = []
    for at, kwargs in (
        (datetime.datetime(2026, 11, 30, 23, 30, tzinfo=SH),
         {"actor": manager, "action": "export", "client_id": 11,
          "detail": {"what": "insured_persons"}}),
        (datetime.datetime(2026, 12, 1, 0, 30, tzinfo=SH),
         {"actor": rep, "action": "reveal", "client_id": 12}),
        (datetime.datetime(2026, 12, 2, 10, 0, tzinfo=SH),
         {"actor": None, "actor_label": "api-key:3", "action": "import", "client_id": 11}),
    ):
        with monkeypatch.context() as m:
            m.setattr("django.utils.timezone.now", lambda at=at: at)
            made.append(audit_record(**kwargs))
    return made


def _ids(response):
    return [e.pk for e in response.context["page"].object_list]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER])
def test_admins_and_managers_search_the_log(client, events, role):
    client.force_login(UserFactory(role=role))
    first, second, third = events

    ours = {e.pk for e in events}  # not the login row of force_login

    def found(**query):
        response = client.get("/staff/audit/", query)
        assert response.status_code == 200
        return [pk for pk in _ids(response) if pk in ours]

    assert found() == [third.pk, second.pk, first.pk]
    assert found(actor="ALI") == [first.pk]
    assert found(actor="api-key") == [third.pk]
    assert found(action="reveal") == [second.pk]
    assert found(client="11") == [third.pk, first.pk]
    assert found(date_from="2026-12-01") == [third.pk, second.pk]
    assert found(date_to="2026-11-30") == [first.pk]
    assert found(date_from="2026-12-01", date_to="2026-12-01") == [second.pk]
    assert found(action="import", client="11", actor="api") == [third.pk]


def test_the_search_filters_by_target():
    manager = UserFactory(role=Role.MANAGER)
    person_row = audit_record(actor=manager, action="reveal", target=manager)
    audit_record(actor=manager, action="reveal", target=UserFactory())
    viewer = Viewer.of(manager)

    rows = audit_event_search(viewer=viewer, filters=AuditFilters(
        target_type="Agency.User", target_id=str(manager.pk)))

    assert [r.pk for r in rows] == [person_row.pk]
    assert list(audit_event_search(viewer=viewer, filters=AuditFilters(
        target_type="billing.bill"))) == []


def test_a_bad_filter_shows_its_error_and_the_page_still_answers(client):
    client.force_login(UserFactory(role=Role.MANAGER))

    response = client.get("/staff/audit/", {"client": "x", "date_from": "2026-13-01",
                                            "action": "nope", "page": "999"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"client", "date_from", "action"}


@pytest.mark.parametrize("role", [Role.SERVICE_REP, Role.FINANCE, Role.ARCHIVIST,
                                  Role.CLIENT_ADMIN, Role.CLIENT_VIEWER])
def test_other_roles_do_not_see_the_log_or_its_export(client, role):
    company = ClientFactory() if role in (Role.CLIENT_ADMIN, Role.CLIENT_VIEWER) else None
    client.force_login(UserFactory(role=role, client=company))

    assert client.get("/staff/audit/").status_code == 404
    assert client.get("/staff/audit/export/").status_code == 404
    assert AuditEvent.objects.filter(action="export").count() == 0


def test_anonymous_is_sent_to_the_login(client):
    assert client.get("/staff/audit/")["Location"].startswith("/staff/login/")
    assert client.get("/staff/audit/export/")["Location"].startswith("/staff/login/")


def test_the_page_costs_the_same_queries_for_one_row_or_a_hundred(
        client, django_assert_max_num_queries):
    manager = UserFactory(role=Role.MANAGER)
    client.force_login(manager)
    audit_record(actor=manager, action="export", target=manager, client_id=1,
                 detail={"count": 1})
    client.get("/staff/audit/")  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        assert client.get("/staff/audit/").status_code == 200
    for n in range(100):
        audit_record(actor=manager, action="reveal", target=manager, client_id=n,
                     detail={"n": n})

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/staff/audit/")

    assert len(_ids(response)) == 50
    assert response.context["page"].paginator.count == AuditEvent.objects.count()


def test_the_csv_export_holds_the_filtered_rows_and_is_audited(client, events):
    manager = UserFactory(username="carol", role=Role.MANAGER)
    client.force_login(manager)
    first, _second, third = events

    response = client.get("/staff/audit/export/", {"client": "11"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["id", "at", "actor", "action", "target_type", "target_id", "client_id",
                       "ip_address", "request_id", "detail"]
    assert [(r[0], r[1], r[2], r[3], r[6]) for r in rows[1:]] == [
        (str(third.pk), "2026-12-02T10:00:00+08:00", "api-key:3", "import", "11"),
        (str(first.pk), "2026-11-30T23:30:00+08:00", "alice", "export", "11"),
    ]
    assert rows[2][9] == '{"what": "insured_persons"}'
    event = only_row(actor=manager, action="export")
    assert (event.action, event.detail, event.request_id) == (
        "export", {"what": "audit_events", "count": 2, "filters": {"client_id": 11}},
        response["X-Request-ID"])


def test_the_csv_export_writes_a_formula_like_text_as_text(client):
    manager = UserFactory(role=Role.MANAGER)
    client.force_login(manager)
    audit_record(actor=None, actor_label="=HYPERLINK(\"http://x\")", action="login_failed")

    response = client.get("/staff/audit/export/", {"action": "login_failed"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][2] == "'=HYPERLINK(\"http://x\")"


# --- coverage: each action leaves exactly one row -----------------------------------------


def test_a_person_export_leaves_one_export_row():
    manager = UserFactory(role=Role.MANAGER)

    person_export(persons=InsuredPerson.objects.none(), actor=manager, filters={"q": "甲"})

    event = only_row()
    assert (event.action, event.actor, event.detail) == (
        "export", manager, {"what": "insured_persons", "count": 0, "filters": {"q": "甲"}})


def test_a_roster_import_leaves_one_import_row_naming_the_order(company):
    rep = UserFactory(role=Role.SERVICE_REP)
    data = xlsx_bytes([
        ["姓名", "身份证号码", "参保城市", "增减员类型", "缴费基数", "生效日期", "户籍性质"],
        ["王芳", valid_id(1), "上海", "增员", "8000", "2026-12-01", "城镇本地"],
    ])

    order = order_import_xlsx(client=company, data=data, filename="增减员.xlsx",
                              channel="excel", actor=rep, received_at=RECEIVED)

    event = only_row()
    assert (event.action, event.actor, target_of(event), event.client_id_ref) == (
        "import", rep, ("enrollment.rosterorder", str(order.pk)), company.pk)
    assert event.detail["what"] == "roster_order"
    assert (event.detail["lines"], event.detail["file"]) == (1, "增减员.xlsx")
    assert valid_id(1) not in str(event.detail)


def test_a_roster_import_through_an_api_key_names_the_key(company):
    data = xlsx_bytes([
        ["姓名", "身份证号码", "参保城市", "增减员类型", "缴费基数", "生效日期", "户籍性质"],
        ["王芳", valid_id(1), "上海", "增员", "8000", "2026-12-01", "城镇本地"],
    ])

    order_import_xlsx(client=company, data=data, filename="r.xlsx", channel="excel",
                      actor=None, actor_label="api-key:7", received_at=RECEIVED)

    event = only_row()
    assert (event.action, event.actor, event.actor_label) == ("import", None, "api-key:7")
    assert RosterOrder.objects.count() == 1


def test_a_refused_roster_import_leaves_no_row(company):
    data = xlsx_bytes([
        ["姓名", "身份证号码", "参保城市", "增减员类型", "缴费基数", "生效日期", "户籍性质"],
        ["王芳", "123", "上海", "增员", "8000", "2026-12-01", "城镇本地"],
    ])

    with pytest.raises(ValidationFailed):
        order_import_xlsx(client=company, data=data, filename="r.xlsx", channel="excel",
                          actor=None, received_at=RECEIVED)

    assert AuditEvent.objects.count() == 0


def test_a_bureau_feedback_import_leaves_one_import_row(company, shanghai):
    rep = UserFactory(role=Role.SERVICE_REP)
    order = order_submit(client=company, channel="api", actor=None, received_at=RECEIVED,
                         lines=[add_line(1, name="张三", schemes=["social_insurance"])])
    line = order.lines.get()
    give_all_papers(line.person, company)
    line_transition(line=line, to="submitted", actor=None, scheme="")
    data = xlsx_bytes([["证件号码", "姓名", "办理状态", "原因"], [valid_id(1), "张三", "成功", ""],
                       [valid_id(77), "陌生人", "成功", ""]])

    report = bureau_feedback_import(data=data, city=shanghai, scheme="social_insurance",
                                    actor=rep)

    assert (report.succeeded, report.unmatched) == (1, 1)
    event = only_row(action="import")
    assert (event.actor, target_of(event)) == (rep, ("policies.city", str(shanghai.pk)))
    detail = dict(event.detail)
    assert len(detail.pop("sha256")) == 64
    assert detail == {"what": "bureau_feedback", "city": "310000",
                      "scheme": "social_insurance", "succeeded": 1, "failed": 0,
                      "not_applied": 1, "tasks": [line.tasks.get().pk]}
    assert valid_id(1) not in str(event.detail) and valid_id(77) not in str(event.detail)


def test_a_bureau_feedback_upload_on_the_page_records_the_address(client, shanghai):
    rep = UserFactory(role=Role.SERVICE_REP)
    client.force_login(rep)
    data = xlsx_bytes([["证件号码", "姓名", "办理状态", "原因"],
                       [valid_id(77), "陌生人", "成功", ""]])
    upload = io.BytesIO(data)
    upload.name = "回盘.xlsx"

    response = client.post("/staff/bureau/feedback/", {
        "city": shanghai.code, "scheme": "social_insurance", "file": upload})

    assert response.status_code == 200, response.content.decode()[-3000:]
    event = only_row(action="import")
    assert (event.actor, event.ip_address, event.detail["not_applied"]) == (rep, "127.0.0.1", 1)


def test_a_reconciliation_upload_leaves_one_import_row(two_city_client):  # noqa: F811
    finance = UserFactory(role=Role.FINANCE)
    person = enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill_issue(bill=bill_generate(client=two_city_client, month=NOV, actor=None), actor=None)
    data = wide_file([("甲", person_id_number(person), figures_at("10000"))])
    before = set(AuditEvent.objects.values_list("pk", flat=True))

    run = reconciliation_run(city=City.objects.get(code="310000"), month=NOV,
                             scheme="social_insurance", data=data, file_name="明细.xlsx",
                             actor=finance)

    event = only_row(action="import")
    assert event.pk not in before
    assert (event.actor, target_of(event)) == (
        finance, ("billing.reconciliationrun", str(run.pk)))
    detail = dict(event.detail)
    assert len(detail.pop("sha256")) == 64
    assert detail == {"what": "bureau_charge_detail", "city": "310000", "month": "2026-11",
                      "scheme": "social_insurance", "file": "明细.xlsx", "rows": 1,
                      "differences": 0}


def test_issuing_a_bill_leaves_one_bill_issued_row(two_city_client):  # noqa: F811
    finance = UserFactory(role=Role.FINANCE)
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill = bill_generate(client=two_city_client, month=NOV, actor=finance)

    bill_issue(bill=bill, actor=finance)

    event = only_row(action="bill_issued")
    assert (event.actor, target_of(event), event.client_id_ref) == (
        finance, ("billing.bill", str(bill.pk)), two_city_client.pk)
    assert event.detail == {"event": "bill.issued",
                            "total": f"{Bill.objects.get(pk=bill.pk).total:.2f}"}


ITEM = {"kind": "pension", "base_floor": Decimal("5000.00"), "base_ceiling": Decimal("25000.00"),
        "employer_rate": Decimal("0.16"), "employee_rate": Decimal("0.08")}


def test_each_policy_edit_leaves_one_policy_changed_row():
    manager = UserFactory(role=Role.MANAGER)
    D = datetime.date
    version = PolicyVersionFactory(effective_from=D(2030, 1, 1), effective_to=D(2030, 6, 30),
                                   provisional=True)
    item = PolicyItemFactory(version=version)
    city = version.city

    def last():
        event = AuditEvent.objects.order_by("-pk").first()
        return (event.action, event.actor, target_of(event), event.detail["event"])

    created = policy_version_create(city=city, effective_from=D(2031, 1, 1),
                                    effective_to=None, items=[ITEM], actor=manager)
    assert last() == ("policy_changed", manager, ("policies.policyversion", str(created.pk)),
                      "version_created")
    copied = policy_version_copy(source=version, effective_from=D(2030, 7, 1),
                                 effective_to=D(2030, 12, 31), notice="续", actor=manager)
    assert last() == ("policy_changed", manager, ("policies.policyversion", str(copied.pk)),
                      "version_copied")
    policy_version_update(version=created, effective_from=D(2031, 1, 1), effective_to=None,
                          notice="新通知", provisional=False, actor=manager)
    assert last() == ("policy_changed", manager, ("policies.policyversion", str(created.pk)),
                      "version_updated")
    policy_item_update(item=item, fields={"employer_rate": Decimal("0.15")}, actor=manager)
    assert last() == ("policy_changed", manager, ("policies.policyitem", str(item.pk)),
                      "item_updated")
    assert AuditEvent.objects.order_by("-pk").first().detail["fields"] == ["employer_rate"]
    added = policy_item_add(version=version, fields={**ITEM, "kind": "medical"},
                            actor=manager)
    assert last() == ("policy_changed", manager, ("policies.policyitem", str(added.pk)),
                      "item_added")
    final = policy_version_supersede(version=version, actor=manager)
    assert last() == ("policy_changed", manager, ("policies.policyversion", str(final.pk)),
                      "version_superseded")

    assert list(AuditEvent.objects.order_by("pk").values_list("detail__event", flat=True)) == [
        "version_created", "version_copied", "version_updated", "item_updated", "item_added",
        "version_superseded"]
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"policy_changed"}


def test_loading_the_policy_file_leaves_one_row_when_it_changes_something():
    policies_load(cities=read_policy_file(POLICY_FILE))
    event = only_row()
    assert (event.action, event.actor_label, event.detail["event"]) == (
        "policy_changed", "policy data file", "policies_loaded")

    policies_load(cities=read_policy_file(POLICY_FILE))  # nothing changes: no row

    assert AuditEvent.objects.count() == 1
    assert PolicyVersion.objects.exists()


# --- user and API-key management ------------------------------------------------------------


def test_creating_a_portal_user_leaves_one_user_created_row(client_company):
    manager = UserFactory(role=Role.MANAGER)

    user = portal_user_create(client=client_company, username="hr1", display_name="人事",
                              role=Role.CLIENT_ADMIN, password="Kx8#pq2!Lm9z", actor=manager)

    event = only_row()
    assert (event.action, event.actor, target_of(event), event.client_id_ref, event.detail) == (
        "user_created", manager, ("agency.user", str(user.pk)), client_company.pk,
        {"event": "portal_user_created", "role": "client_admin"})


def _admin_change(client, user, **changes):
    data = {"username": user.username, "role": user.role, "display_name": user.display_name,
            "client": user.client_id or "", "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00", "is_active": "on" if user.is_active else ""}
    data.update(changes)
    data = {k: v for k, v in data.items() if v not in ("", None)}
    return client.post(f"/admin/agency/user/{user.pk}/change/", data)


def test_user_management_in_the_admin_leaves_one_row_per_change(client, superuser):
    client.force_login(superuser)

    added = client.post("/admin/agency/user/add/", {
        "username": "newfinance", "usable_password": "true", "password1": "Kx8#pq2!Lm9z",
        "password2": "Kx8#pq2!Lm9z", "role": "finance", "display_name": "新财务"})
    assert added.status_code == 302, added.context["adminform"].form.errors
    user = User.objects.get(username="newfinance")
    created = only_row(action="user_created")
    assert (created.actor, target_of(created), created.detail) == (
        superuser, ("agency.user", str(user.pk)),
        {"username": "newfinance", "role": "finance", "client": None, "is_active": True,
         "is_staff": False, "is_superuser": False})

    changed = _admin_change(client, user, role="admin")
    assert changed.status_code == 302, changed.context["adminform"].form.errors
    role = only_row(action="user_role_changed")
    assert (role.actor, target_of(role), role.detail) == (
        superuser, ("agency.user", str(user.pk)),
        {"username": "newfinance", "from": "finance", "to": "admin"})

    user.refresh_from_db()
    assert _admin_change(client, user, is_active="").status_code == 302
    off = only_row(action="user_deactivated")
    assert (off.actor, target_of(off)) == (superuser, ("agency.user", str(user.pk)))

    password = client.post(f"/admin/agency/user/{user.pk}/password/", {
        "usable_password": "true", "password1": "Zy7$wq3!Nb8x", "password2": "Zy7$wq3!Nb8x",
        "set-password": "1"})
    assert password.status_code == 302
    pw = only_row(action="user_password_set")
    assert (pw.actor, target_of(pw)) == (superuser, ("agency.user", str(user.pk)))

    user.refresh_from_db()
    assert _admin_change(client, user, display_name="改名").status_code == 302  # no right
    assert sorted(AuditEvent.objects.exclude(action="login").values_list(
        "action", flat=True)) == [
        "user_created", "user_deactivated", "user_password_set", "user_role_changed"]


def test_issuing_and_revoking_an_api_key_leave_one_row_each(client_company):
    manager = UserFactory(role=Role.MANAGER)

    api_key, _key = api_key_issue(client=client_company, name="HR", actor=manager)
    issued = only_row()
    api_key_revoke(api_key=api_key, actor=manager)
    api_key_revoke(api_key=api_key, actor=manager)  # again: nothing more

    revoked = only_row(action="api_key_revoked")
    assert [(e.action, target_of(e), e.client_id_ref) for e in (issued, revoked)] == [
        ("api_key_issued", ("clients.apikey", str(api_key.pk)), client_company.pk),
        ("api_key_revoked", ("clients.apikey", str(api_key.pk)), client_company.pk)]


def test_the_admin_revokes_api_keys_only_through_the_audited_service(
        client, superuser, client_company, other_client_company):
    api_key, _key = api_key_issue(client=client_company, name="HR", actor=superuser)
    client.force_login(superuser)
    base = "/admin/clients/apikey/"

    moved = client.post(f"{base}{api_key.pk}/change/", {
        "name": "HR", "client": other_client_company.pk, "revoked_at_0": "", })
    assert client.post(f"{base}{api_key.pk}/delete/", {"post": "yes"}).status_code == 403
    revoked = client.post(base, {"action": "revoke_keys", "_selected_action": [api_key.pk]})

    assert moved.status_code == 302
    assert revoked.status_code == 302
    api_key = ApiKey.objects.get()
    assert (api_key.client_id, api_key.revoked_at is not None) == (client_company.pk, True)
    event = only_row(action="api_key_revoked")
    assert (event.actor, target_of(event)) == (superuser, ("clients.apikey", str(api_key.pk)))


@pytest.mark.django_db
def test_policies_cannot_be_edited_in_the_admin_past_their_audited_service(client, policies):
    from policies.models import PolicyItem, PolicyVersion

    admin_user = User.objects.create_superuser("root-policies", "r@example.cn", "x-pass-2026!")
    client.force_login(admin_user)
    version = PolicyVersion.objects.first()
    item = PolicyItem.objects.first()

    answers = [
        client.post(f"/admin/policies/policyversion/{version.pk}/change/", {}).status_code,
        client.post(f"/admin/policies/policyitem/{item.pk}/change/", {}).status_code,
        client.get("/admin/policies/policyitem/add/").status_code,
        client.post(f"/admin/policies/policyitem/{item.pk}/delete/", {"post": "yes"}).status_code,
    ]

    assert answers == [403, 403, 403, 403]
    assert PolicyItem.objects.filter(pk=item.pk).exists()
