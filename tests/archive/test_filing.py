"""Monthly filing (STD-5.3): check each item, close the batch; the overdue query."""

import datetime

import pytest

from agency.errors import DomainError
from agency.roles import Role
from archive.models import FilingBatch
from archive.selectors import due_today, overdue_unfiled
from archive.services import batch_close, filing_check
from tests.archive.factories import store
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)


@pytest.fixture
def archivist():
    return UserFactory(role=Role.ARCHIVIST)


def test_closing_a_batch_with_an_unchecked_item_is_refused_naming_it(archivist):
    # given two items of March, one checked
    checked = store(month=MARCH)
    unchecked = store(month=MARCH, name="roster.xlsx")
    filing_check(item=checked, actor=archivist)
    batch = FilingBatch.objects.get(month=MARCH)

    # when the batch is closed
    with pytest.raises(DomainError) as refused:
        batch_close(batch=batch, actor=archivist)

    # then it is refused, naming the unchecked item
    assert refused.value.code == "archive_batch_unchecked"
    assert [d.message for d in refused.value.details] == [f"{unchecked.pk}: roster.xlsx"]
    batch.refresh_from_db()
    assert batch.closed_at is None


def test_a_batch_closes_once_every_item_is_checked(archivist):
    item = store(month=MARCH)
    filing_check(item=item, actor=archivist)

    batch = batch_close(batch=FilingBatch.objects.get(month=MARCH), actor=archivist)

    assert batch.closed_by == archivist
    item.refresh_from_db()
    assert item.checked is True
    assert item.filed_by == archivist
    assert item.history.first().history_user == archivist


def test_on_the_16th_exactly_the_previous_months_unfiled_items_are_overdue(archivist):
    # given unfiled items of February and March, a filed one of March, one of April
    february = store(month=datetime.date(2026, 2, 1))
    march = store(month=MARCH)
    filing_check(item=store(month=MARCH), actor=archivist)
    store(month=datetime.date(2026, 4, 1))

    # then on 16 April February and March are overdue; on the 15th only February,
    # March being due that day
    assert list(overdue_unfiled(today=datetime.date(2026, 4, 16))) == [february, march]
    assert list(overdue_unfiled(today=datetime.date(2026, 4, 15))) == [february]
    assert list(due_today(today=datetime.date(2026, 4, 15))) == [march]
    assert list(due_today(today=datetime.date(2026, 4, 16))) == []


def test_on_the_15th_no_item_of_the_previous_month_is_overdue(archivist):
    march = store(month=MARCH)

    assert list(overdue_unfiled(today=datetime.date(2026, 4, 15))) == []
    assert list(due_today(today=datetime.date(2026, 4, 15))) == [march]
    assert list(overdue_unfiled(today=datetime.date(2026, 4, 16))) == [march]
