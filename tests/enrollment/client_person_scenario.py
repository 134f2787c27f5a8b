"""What the ClientPerson triggers must keep true, as one scenario that prints the table
after each step. `tests/enrollment/test_client_person.py` runs it on PostgreSQL (the test
database) and on SQLite (the `make run` default, in a process of its own): each vendor has
its own triggers (enrollment/migrations/0016_client_person.py)."""

import datetime
from typing import Any


def run() -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from agency.bulk import bulk_insert_with_history, new_objects
    from enrollment.models import ClientPerson, Enrollment, RosterLine, RosterOrder
    from tests.factories import (
        CityFactory,
        ClientFactory,
        EnrollmentFactory,
        InsuredPersonFactory,
    )

    def table() -> list[list[str]]:
        return [[client, name] for client, name in ClientPerson.objects.order_by(
            "client__name", "name").values_list("client__name", "name")]

    city = CityFactory()
    north, south = ClientFactory(name="北方"), ClientFactory(name="南方")
    zhang, li, wang = (InsuredPersonFactory(name=name) for name in ("张三", "李四", "王五"))
    steps: dict[str, Any] = {}

    enrolment = EnrollmentFactory(person=zhang, client=north, city=city,
                                  starts_on=datetime.date(2026, 1, 1))
    EnrollmentFactory(person=zhang, client=north, city=city, scheme="housing_fund",
                      starts_on=datetime.date(2026, 1, 1))
    steps["enrolled twice"] = table()

    order = RosterOrder.objects.create(client=south, channel="api", received_at=timezone.now())
    row = {"order_id": order.pk, "action": "add", "city_id": city.pk, "name": "",
           "effective_date": datetime.date(2026, 2, 1),
           "effective_month": datetime.date(2026, 2, 1), "handle_by": timezone.now()}
    # the bulk path (COPY on PostgreSQL, executemany on SQLite), as an import writes them
    with transaction.atomic():
        lines = bulk_insert_with_history(new_objects(RosterLine, [
            {**row, "line_no": 1, "person_id": li.pk, "name": li.name},
            {**row, "line_no": 2, "person_id": zhang.pk, "name": zhang.name},
            {**row, "line_no": 3, "person_id": zhang.pk, "name": zhang.name},
        ]), RosterLine)
    steps["three lines of the south"] = table()

    zhang.name = "张叁"
    zhang.save(update_fields=["name"])
    steps["renamed"] = table()

    RosterLine.objects.filter(pk=lines[1].pk).delete()
    steps["one of two lines gone"] = table()
    RosterLine.objects.filter(pk=lines[2].pk).update(person=wang)
    steps["line moved to another person"] = table()

    Enrollment.objects.filter(pk=enrolment.pk).update(client=south)
    steps["one of two enrolments moved"] = table()
    Enrollment.objects.filter(person=zhang, client=north).delete()
    steps["the last enrolment of the north gone"] = table()
    return {"vendor": connection.vendor, "steps": steps}


EXPECTED = {
    "enrolled twice": [["北方", "张三"]],
    "three lines of the south": [["北方", "张三"], ["南方", "张三"], ["南方", "李四"]],
    "renamed": [["北方", "张叁"], ["南方", "张叁"], ["南方", "李四"]],
    "one of two lines gone": [["北方", "张叁"], ["南方", "张叁"], ["南方", "李四"]],
    "line moved to another person": [["北方", "张叁"], ["南方", "李四"], ["南方", "王五"]],
    "one of two enrolments moved": [["北方", "张叁"], ["南方", "张叁"], ["南方", "李四"],
                                    ["南方", "王五"]],
    "the last enrolment of the north gone": [["南方", "张叁"], ["南方", "李四"],
                                             ["南方", "王五"]],
}
