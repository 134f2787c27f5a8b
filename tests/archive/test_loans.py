"""Lending: borrower, purpose, due date and return; overdue loans are listed."""

import datetime

import pytest

from agency.errors import DomainError
from agency.roles import Role
from archive.models import ItemStatus
from archive.selectors import loans_overdue
from archive.services import loan_create, loan_return
from tests.archive.factories import store
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 10)


@pytest.fixture
def archivist():
    return UserFactory(role=Role.ARCHIVIST)


def test_a_lent_item_is_out_until_returned_and_cannot_be_lent_twice(archivist):
    item = store()

    loan = loan_create(item=item, borrower="李四", purpose="社保稽核", due_on=TODAY,
                       actor=archivist, today=TODAY)

    item.refresh_from_db()
    assert item.status == ItemStatus.LENT
    with pytest.raises(DomainError) as refused:
        loan_create(item=item, borrower="王五", purpose="查阅", due_on=TODAY, actor=archivist,
                    today=TODAY)
    assert refused.value.code == "archive_not_available"

    returned = loan_return(loan=loan, actor=archivist, returned_on=TODAY)
    item.refresh_from_db()
    assert item.status == ItemStatus.ACTIVE
    assert returned.returned_on == TODAY


def test_overdue_loans_are_those_unreturned_after_their_due_date(archivist):
    late = loan_create(item=store(), borrower="李四", purpose="稽核",
                       due_on=datetime.date(2026, 5, 9), actor=archivist,
                       today=datetime.date(2026, 5, 1))
    loan_create(item=store(), borrower="王五", purpose="查阅", due_on=TODAY, actor=archivist,
                today=datetime.date(2026, 5, 1))
    back = loan_create(item=store(), borrower="赵六", purpose="查阅",
                       due_on=datetime.date(2026, 5, 2), actor=archivist,
                       today=datetime.date(2026, 5, 1))
    loan_return(loan=back, actor=archivist, returned_on=datetime.date(2026, 5, 8))

    assert list(loans_overdue(today=TODAY)) == [late]


def test_a_due_date_in_the_past_is_refused(archivist):
    with pytest.raises(DomainError) as refused:
        loan_create(item=store(), borrower="李四", purpose="稽核",
                    due_on=datetime.date(2026, 5, 9), actor=archivist, today=TODAY)

    assert refused.value.code == "archive_loan_due_past"
