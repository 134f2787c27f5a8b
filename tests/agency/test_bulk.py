"""bulk_insert_with_history: rows and their history, as save() would write them."""

import pytest

from agency.bulk import bulk_insert_with_history
from policies.models import City
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_rows_get_ids_defaults_and_one_history_row_each():
    actor = UserFactory(role="manager")
    before = City.objects.count()

    cities = bulk_insert_with_history(
        [City(code="320100", name="南京市"), City(code="320500", name="苏州市",
                                                 order_cutoff_day=20)],
        City, user=actor,
    )

    assert [c.pk is not None for c in cities] == [True, True]
    assert City.objects.count() == before + 2
    saved = {c.code: (c.name, c.order_cutoff_day) for c in City.objects.filter(
        pk__in=[c.pk for c in cities])}
    assert saved == {"320100": ("南京市", 15), "320500": ("苏州市", 20)}
    history = City.history.filter(id__in=[c.pk for c in cities]).order_by("code")
    assert [(h.code, h.history_type, h.history_user) for h in history] == [
        ("320100", "+", actor), ("320500", "+", actor)]
    # the sequence moved past the reserved ids: a plain save still works
    assert City.objects.create(code="330200", name="宁波市").pk > max(c.pk for c in cities)


def test_nothing_to_insert():
    assert bulk_insert_with_history([], City) == []
