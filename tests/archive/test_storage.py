"""Storage through one door: an anonymous name, a checksum, a move on commit, a sweep."""

import datetime
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from agency.roles import Role
from archive import storage
from archive.models import ArchiveItem, FilingBatch, ItemKind
from archive.services import archive_store, archive_sweep_orphans
from tests.archive.factories import store
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_stored_file_gets_an_anonymous_name_and_its_checksum(django_capture_on_commit_callbacks):
    # given a paper named after the person
    content = b"%PDF-1.4 id card"

    # when it is stored
    with django_capture_on_commit_callbacks(execute=True):
        item = store(content, name="张三-身份证.PDF", month=datetime.date(2026, 3, 18))

    # then its name says the month and the type only, and its checksum is the content's
    assert item.file.name.startswith("archive/2026/03/")
    assert item.file.name.endswith(".pdf")
    assert "张三" not in item.file.name
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    assert item.size == len(content)
    assert item.month == datetime.date(2026, 3, 1)
    assert item.retention_until == datetime.date(2036, 3, 31)
    assert default_storage.open(item.file.name).read() == content
    assert list(storage.walk(storage.TMP_DIR)) == []
    assert FilingBatch.objects.filter(month=datetime.date(2026, 3, 1)).exists()


def test_the_item_links_to_its_subject_generically(django_capture_on_commit_callbacks):
    company = ClientFactory()
    with django_capture_on_commit_callbacks(execute=True):
        item = archive_store(content=ContentFile(b"contract scan"), original_name="c.png",
                             kind=ItemKind.AGREEMENT, client_id=company.pk,
                             month=datetime.date(2026, 1, 1), retention_years=30,
                             actor=UserFactory(role=Role.ARCHIVIST), subject=company)

    assert item.subject == company
    assert item.client_id == company.pk
    assert item.sha256 == hashlib.sha256(b"contract scan").hexdigest()


def test_a_rolled_back_transaction_leaves_no_archived_file(django_capture_on_commit_callbacks):
    # given a store inside a transaction that fails
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        item = store(b"rolled back")
        name = item.file.name
        raise RuntimeError("the receiving service fails after storing")

    # then no item, no file under its final name, and the temporary file is only swept
    assert callbacks == []
    assert not ArchiveItem.objects.exists()
    assert not default_storage.exists(name)
    assert [n for n in storage.walk() if not n.startswith(storage.TMP_DIR)] == []
    later = timezone.now() + datetime.timedelta(hours=2)
    assert len(archive_sweep_orphans(now=later)) == 1
    assert list(storage.walk()) == []


def test_the_sweep_keeps_referenced_and_recent_files(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = store(b"kept")
    stray = default_storage.save("archive/2026/03/stray.pdf", ContentFile(b"stray"))

    assert archive_sweep_orphans() == []  # the stray file is younger than an hour
    later = timezone.now() + datetime.timedelta(hours=2)
    assert archive_sweep_orphans(now=later) == [stray]
    assert default_storage.exists(item.file.name)


def test_a_paper_only_original_has_a_location_and_no_file():
    item = archive_store(content=None, original_name="盖章原件", kind=ItemKind.ORDER_PAPERS,
                         client_id=1, month=datetime.date(2026, 2, 1), retention_years=10,
                         actor=None, physical_location="A柜-3层")

    assert item.file.name in ("", None)
    assert item.physical_location == "A柜-3层"


@pytest.mark.django_db(transaction=True)
def test_a_committed_store_moves_the_file_to_its_final_name():
    # given a store in a transaction that really commits
    with transaction.atomic():
        item = store(b"committed")
        assert not default_storage.exists(item.file.name)

    # then the file is under its final name and no temporary file is left
    assert default_storage.open(item.file.name).read() == b"committed"
    assert list(storage.walk(storage.TMP_DIR)) == []
