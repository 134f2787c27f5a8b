"""ClientPerson, the persons of each client kept by database triggers, and the person list
paged along it (issue 18: a page of 50 of a client's 100,000 persons without sorting them
all on each request)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agency.viewer import Viewer
from enrollment.models import ClientPerson
from enrollment.persons.selectors import PersonPages, person_list, person_pages
from tests.enrollment import client_person_scenario
from tests.factories import EnrollmentFactory, InsuredPersonFactory
from tests.sqlite_run import run_on_sqlite

pytestmark = pytest.mark.django_db


def test_the_triggers_keep_each_clients_persons_on_postgresql():
    found = client_person_scenario.run()

    assert found["vendor"] == "postgresql"
    assert found["steps"] == client_person_scenario.EXPECTED


def test_the_triggers_keep_each_clients_persons_on_sqlite(tmp_path):
    script = ("import json, django; django.setup()\n"
              "from django.core.management import call_command\n"
              "call_command('migrate', verbosity=0)\n"
              "from tests.enrollment import client_person_scenario\n"
              "print(json.dumps(client_person_scenario.run(), ensure_ascii=False))\n")
    found = run_on_sqlite(script, tmp_path / "cp.sqlite3")

    assert found["vendor"] == "sqlite"
    assert found["steps"] == client_person_scenario.EXPECTED


def client_viewer(client) -> Viewer:
    return Viewer(role="api_key", client_id=client.pk, api_key_id=1)


def test_a_clients_pages_are_its_list_in_order_with_its_count(company, other_client_company):
    names = ["赵六", "钱七", "孙八", "李九", "周十", "吴一", "郑二"]
    for name in names:
        EnrollmentFactory(person=InsuredPersonFactory(name=name), client=company)
    EnrollmentFactory(person=InsuredPersonFactory(name="外人"), client=other_client_company)
    viewer = client_viewer(company)

    pages = person_pages(viewer=viewer)

    assert isinstance(pages, PersonPages)
    assert pages.count() == 7
    listed = [p.name for p in person_list(viewer=viewer)]
    assert listed == sorted(names)
    assert [p.name for p in pages[0:3]] + [p.name for p in pages[3:6]] + [
        p.name for p in pages[6:9]] == listed
    assert [e.client_id for p in pages[0:7] for e in p.scoped_enrollments] == [company.pk] * 7


def test_filtered_and_representative_lists_page_the_plain_queryset(company, staff_user):
    viewer = client_viewer(company)

    assert not isinstance(person_pages(viewer=viewer, search="张"), PersonPages)
    assert not isinstance(person_pages(viewer=viewer, status="active"), PersonPages)
    rep = staff_user("service_rep")
    assert not isinstance(person_pages(viewer=Viewer.of(rep)), PersonPages)
    admin = staff_user("admin")
    assert isinstance(person_pages(viewer=Viewer.of(admin)), PersonPages)
    assert not isinstance(person_pages(viewer=Viewer.of(admin), client_id=company.pk),
                          PersonPages)


def test_a_deep_page_of_the_api_list_costs_what_the_first_does(as_hr, company):
    for n in range(12):
        EnrollmentFactory(person=InsuredPersonFactory(name=f"员工{n:02d}"), client=company)

    counts = []
    for page in (1, 3):
        with CaptureQueriesContext(connection) as queries:
            response = as_hr.get(f"/api/v1/persons/?page={page}&page_size=5")
        assert response.status_code == 200
        counts.append(len(queries))
        body = response.json()
        assert body["count"] == 12
    assert [r["name"] for r in body["results"]] == ["员工10", "员工11"]
    assert counts[0] == counts[1]
    assert ClientPerson.objects.filter(client=company).count() == 12
