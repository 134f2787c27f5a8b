"""bulk_insert_with_history on SQLite (the `make run` default): one executemany per table,
the ids read back, one history row each. The suite runs on PostgreSQL, so this runs in a
process of its own on a throwaway SQLite file."""

from tests.sqlite_run import run_on_sqlite

SCRIPT = """
import json
import django
django.setup()
from django.core.management import call_command
from django.db import connection, transaction
from agency.bulk import bulk_insert_with_history
from policies.models import City

call_command("migrate", "policies", verbosity=0)
City.objects.create(code="310000", name="上海市")
gap = City.objects.create(code="110000", name="北京市")  # deleted: a gap AUTOINCREMENT keeps
with connection.cursor() as cursor:
    cursor.execute("DELETE FROM policies_city WHERE id = %s", [gap.pk])
with transaction.atomic():
    made = bulk_insert_with_history(
        [City(code="320100", name="南京市"), City(code="320500", name="苏州市",
                                                order_cutoff_day=20)], City)
outside = None
try:
    bulk_insert_with_history([City(code="330100", name="杭州市")], City)
except RuntimeError as exc:
    outside = str(exc)
print(json.dumps({
    "ids": [c.pk for c in made],
    "saved": sorted(City.objects.filter(pk__in=[c.pk for c in made])
                    .values_list("pk", "code", "name", "order_cutoff_day")),
    "history": sorted(City.history.filter(id__in=[c.pk for c in made])
                      .values_list("id", "code", "history_type", "history_user_id")),
    "next": City.objects.create(code="330200", name="宁波市").pk,
    "outside": outside,
}, ensure_ascii=False))
"""


def test_rows_and_history_go_in_with_their_ids_on_sqlite(tmp_path):
    found = run_on_sqlite(SCRIPT, tmp_path / "bulk.sqlite3")

    assert found == {
        "ids": [3, 4],  # after 上海 (1) and the deleted 北京 (2)
        "saved": [[3, "320100", "南京市", 15], [4, "320500", "苏州市", 20]],
        "history": [[3, "320100", "+", None], [4, "320500", "+", None]],
        "next": 5,
        "outside": "bulk_insert_with_history runs inside a transaction on SQLite",
    }
