"""The integrity check recomputes checksums and reports missing and changed files."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from archive.tasks import archive_check_task
from tests.archive.factories import store

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return [store(b"intact"), store(b"to tamper"), store(b"to lose")]


def _tamper(name: str, content: bytes) -> None:
    default_storage.delete(name)
    assert default_storage.save(name, ContentFile(content)) == name


def test_a_tampered_and_a_missing_file_are_reported(items, capsys):
    # given one file changed and one removed behind the archive's back
    intact, tampered, lost = items
    _tamper(tampered.file.name, b"to tamper, changed")
    default_storage.delete(lost.file.name)

    # when the check runs
    with pytest.raises(CommandError) as failed:
        call_command("archive_check")

    # then it names both, and the task reports the same
    out = capsys.readouterr().out
    assert f"changed: archive item {tampered.pk}" in out
    assert f"missing: archive item {lost.pk}" in out
    assert f"archive item {intact.pk}" not in out
    assert str(failed.value) == "3 files checked, 1 missing, 1 changed"
    assert archive_check_task() == {"checked": 3, "missing": [lost.pk], "changed": [tampered.pk]}


def test_an_untouched_archive_passes(items, capsys):
    call_command("archive_check")

    assert "3 files checked, 0 missing, 0 changed" in capsys.readouterr().out
