"""A large roster imported in the background (issue 18): the API answers 202 with the order
"processing", the worker's task fills it or rejects it with the 400's error, and the
portal follows it on a progress page. The broker is Celery's in-memory transport here (no
message reaches a shared Redis); the task runs with `apply`, as the worker would run it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.deadlines import add_months
from enrollment.demo import demo_person
from enrollment.models import InsuredPerson, OrderImport, RosterLine, RosterOrder, RosterTask
from enrollment.orders.import_jobs import order_import_task, sheet_rows
from tests.enrollment.order_fixtures import valid_id
from tests.enrollment.xlsx_builders import xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def memory_broker():
    from agency.celery import app

    saved = (app.conf.broker_url, app.conf.broker_write_url, app.conf.broker_read_url)
    app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = "memory://"
    app._pool = None
    app.amqp._producer_pool = None
    yield app
    app.conf.broker_url, app.conf.broker_write_url, app.conf.broker_read_url = saved
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def low_threshold(settings, memory_broker):
    settings.ORDER_IMPORT_SYNC_MAX_LINES = 2
    return settings


def roster(count: int, *, bad_line: int | None = None) -> bytes:
    """`count` add lines in Shanghai; line `bad_line` with an ID number that fails its
    check digit."""
    month = add_months(timezone.localdate().replace(day=1), 1)
    rows = [["姓名", "身份证号码", "参保城市", "增减员类型", "缴费基数", "生效日期", "户籍性质"]]
    for n in range(1, count + 1):
        id_number = valid_id(n)
        if n == bad_line:
            id_number = id_number[:-1] + ("1" if id_number[-1] != "1" else "2")
        rows.append([demo_person(n, "310115").name, id_number, "上海", "增员", "8000",
                     month.isoformat(), "城镇本地"])
    return xlsx_bytes(rows)


def upload(api, data: bytes):
    return api.post("/api/v1/orders/import/", {"file": SimpleUploadedFile("名单.xlsx", data)},
                    format="multipart")


def run_worker() -> None:
    for job in OrderImport.objects.filter(state="importing"):
        order_import_task.apply(kwargs={"job_id": job.pk})


def test_rows_are_counted_from_the_sheet_without_reading_it():
    assert sheet_rows(roster(3)) == 3
    assert sheet_rows(b"not a workbook") == 0


def test_a_file_at_the_threshold_is_imported_at_once(as_hr, low_threshold):
    response = upload(as_hr, roster(2))

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["line_counts"]) == (
        "received", {"total": 2, "papers_missing": 2})
    assert OrderImport.objects.count() == 0


def test_a_large_file_is_answered_202_processing_then_received(as_hr, low_threshold, company):
    response = upload(as_hr, roster(3))

    assert response.status_code == 202
    body = response.json()
    order = RosterOrder.objects.get()
    assert (body["id"], body["status"], body["channel"], body["line_counts"], body["lines"],
            body["error"]) == (order.pk, "processing", "excel", {"total": 0}, [], None)
    assert body["import_job"] == {"state": "importing", "rows_read": 0, "rows_total": 3}
    polled = as_hr.get(f"/api/v1/orders/{order.pk}/").json()
    assert (polled["status"], polled["import_job"]["state"]) == ("processing", "importing")
    assert as_hr.get("/api/v1/orders/").json()["results"][0]["status"] == "processing"

    run_worker()

    done = as_hr.get(f"/api/v1/orders/{order.pk}/").json()
    assert (done["status"], done["line_counts"], done["error"]) == (
        "received", {"total": 3, "papers_missing": 3}, None)
    assert done["import_job"] == {"state": "received", "rows_read": 3, "rows_total": 3}
    assert [ln["line"] for ln in done["lines"]] == [1, 2, 3]
    order.refresh_from_db()
    assert order.source_file.name.endswith(".xlsx")  # the archive keeps it, as at once
    assert bytes(OrderImport.objects.get().data) == b""  # the pending copy is gone


def test_a_rejected_import_keeps_the_400s_error_and_nothing_else(as_hr, low_threshold):
    data = roster(3, bad_line=2)
    low_threshold.ORDER_IMPORT_SYNC_MAX_LINES = 100
    at_once = upload(as_hr, data)
    assert at_once.status_code == 400
    low_threshold.ORDER_IMPORT_SYNC_MAX_LINES = 2
    persons = InsuredPerson.objects.count()

    response = upload(as_hr, data)
    run_worker()

    assert response.status_code == 202
    order = RosterOrder.objects.get()
    body = as_hr.get(f"/api/v1/orders/{order.pk}/").json()
    assert (body["status"], body["line_counts"], body["lines"]) == ("rejected", {"total": 0}, [])
    assert body["error"] == at_once.json()["error"]
    assert [(d["line"], d["field"]) for d in body["error"]["details"]] == [(2, "id_number")]
    assert (RosterLine.objects.count(), RosterTask.objects.count(),
            InsuredPerson.objects.count()) == (0, 0, persons)
    assert (order.source_file.name, bytes(OrderImport.objects.get().data)) == ("", b"")


def test_the_same_large_file_twice_while_importing_is_409(as_hr, low_threshold):
    data = roster(3)
    first = upload(as_hr, data)
    second = upload(as_hr, data)

    assert (first.status_code, second.status_code) == (202, 409)
    assert second.json()["error"]["code"] == "duplicate_upload"
    assert f"#{first.json()['id']}" in second.json()["error"]["message"]
    assert RosterOrder.objects.count() == 1


def test_a_task_delivered_twice_imports_once(as_hr, low_threshold):
    upload(as_hr, roster(3))
    job = OrderImport.objects.get()

    order_import_task.apply(kwargs={"job_id": job.pk})
    again = order_import_task.apply(kwargs={"job_id": job.pk})

    assert again.result == "received"
    assert RosterLine.objects.count() == 3


# --- the portal's progress page ------------------------------------------------------


def test_the_portal_follows_a_large_upload_on_a_progress_page(client, hr, low_threshold):
    client.force_login(hr)

    response = client.post("/portal/orders/upload/",
                           {"file": SimpleUploadedFile("名单.xlsx", roster(3))})

    order = RosterOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/orders/{order.pk}/import/"
    page = client.get(response["Location"]).content.decode()
    status_url = f"/portal/orders/{order.pk}/import/status/"
    assert f'hx-get="{status_url}"' in page
    assert 'hx-trigger="load delay:1s"' in page
    OrderImport.objects.update(rows_read=2)
    polling = client.get(status_url).content.decode()
    assert 'data-state="importing"' in polling and 'hx-get="' in polling
    assert "2" in polling and "3" in polling
    assert '<progress max="100" value="66">' in polling

    run_worker()

    done = client.get(status_url).content.decode()
    assert 'data-state="received"' in done and "hx-get" not in done
    assert f'href="/portal/orders/{order.pk}/"' in done


def test_the_progress_page_lists_the_rows_that_were_refused(client, hr, low_threshold):
    client.force_login(hr)
    client.post("/portal/orders/upload/",
                {"file": SimpleUploadedFile("名单.xlsx", roster(3, bad_line=2))})
    order = RosterOrder.objects.get()

    run_worker()
    done = client.get(f"/portal/orders/{order.pk}/import/status/").content.decode()

    assert 'data-state="rejected"' in done and "hx-get" not in done
    assert "第3行" in done  # the Excel row of line 2, as an upload shows it
