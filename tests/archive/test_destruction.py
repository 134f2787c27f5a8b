"""Appraisal and destruction: retention passed, a manager's approval, a record that
outlives the file; nothing else deletes an item."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.db import transaction

from agency.errors import DomainError
from agency.roles import Role
from archive.models import AppraisalDecision, ArchiveItem, Destruction, ItemStatus
from archive.services import appraisal_record, destruction_approve_and_execute, loan_create
from tests.archive.factories import store
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

JAN_2020 = datetime.date(2020, 1, 1)
AFTER = datetime.date(2025, 2, 1)  # a five-year retention of January 2020 ends 2025-01-31


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER)


@pytest.fixture
def item(django_capture_on_commit_callbacks, manager):
    with django_capture_on_commit_callbacks(execute=True):
        stored = store(b"old roster", month=JAN_2020, retention_years=5)
    appraisal_record(item=stored, decision=AppraisalDecision.DESTROY, actor=manager)
    return stored


def test_destruction_before_the_retention_has_passed_is_refused(item, manager):
    assert item.retention_until == datetime.date(2025, 1, 31)

    with pytest.raises(DomainError) as refused:
        destruction_approve_and_execute(item=item, reason="expired", actor=manager,
                                        today=datetime.date(2025, 1, 31))

    assert refused.value.code == "archive_retention_not_passed"
    assert default_storage.exists(item.file.name)


@pytest.mark.parametrize("role", [Role.ARCHIVIST, Role.SERVICE_REP, Role.FINANCE])
def test_destruction_without_a_managers_approval_is_refused(item, role):
    with pytest.raises(DomainError) as refused:
        destruction_approve_and_execute(item=item, reason="expired",
                                        actor=UserFactory(role=role), today=AFTER)

    assert refused.value.code == "archive_destruction_not_approved"
    assert refused.value.status == 403
    assert not Destruction.objects.exists()


def test_destruction_needs_an_appraisal_that_decided_to_destroy(
    django_capture_on_commit_callbacks, manager
):
    with django_capture_on_commit_callbacks(execute=True):
        kept = store(month=JAN_2020, retention_years=5)
    appraisal_record(item=kept, decision=AppraisalDecision.KEEP, actor=manager)

    with pytest.raises(DomainError) as refused:
        destruction_approve_and_execute(item=kept, reason="expired", actor=manager, today=AFTER)

    assert refused.value.code == "archive_not_appraised_for_destruction"


def test_a_lent_item_is_not_destroyed(item, manager):
    loan_create(item=item, borrower="审计", purpose="年审", due_on=AFTER, actor=manager,
                today=datetime.date(2025, 1, 20))

    with pytest.raises(DomainError) as refused:
        destruction_approve_and_execute(item=item, reason="expired", actor=manager, today=AFTER)

    assert refused.value.code == "archive_not_available"


def test_a_managers_destruction_deletes_the_file_and_keeps_the_record(
    item, manager, django_capture_on_commit_callbacks
):
    name, checksum = item.file.name, item.sha256

    with django_capture_on_commit_callbacks(execute=True):
        record = destruction_approve_and_execute(item=item, reason="retention passed",
                                                 actor=manager, today=AFTER)

    assert not default_storage.exists(name)
    item.refresh_from_db()
    assert item.status == ItemStatus.DESTROYED
    assert not item.file
    assert (record.sha256, record.file_name, record.approved_by) == (checksum, name, manager)


def test_an_item_refuses_to_be_deleted(item):
    with pytest.raises(DomainError) as refused:
        item.delete()

    assert refused.value.code == "archive_delete_refused"
    assert default_storage.exists(item.file.name)


def test_a_bulk_delete_is_refused_too():
    plain = store(month=JAN_2020)

    with pytest.raises(DomainError) as refused, transaction.atomic():
        ArchiveItem.objects.filter(pk=plain.pk).delete()

    assert refused.value.code == "archive_delete_refused"
    assert ArchiveItem.objects.filter(pk=plain.pk).exists()


def test_extending_moves_the_retention(item, manager):
    appraisal_record(item=item, decision=AppraisalDecision.EXTEND, actor=manager,
                     extend_to=datetime.date(2030, 1, 31))

    item.refresh_from_db()
    assert item.retention_until == datetime.date(2030, 1, 31)
