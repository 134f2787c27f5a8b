"""The disk full when an upload is stored (issue 18): a clear error (507 storage_full in
the contract's shape), nothing saved — no order, no archive item, no temporary file — and
the same upload goes through once there is room. MEDIA_ROOT is a real 1 MB tmpfs, filled
up by a real file (the test runs as root, as make test does)."""

import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.roles import Role
from archive.models import ArchiveItem
from enrollment.models import RosterOrder
from tests.enrollment.order_fixtures import add_line
from tests.enrollment.xlsx_builders import TEMPLATE_HEADER, xlsx_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the file moves on commit


@pytest.fixture
def small_disk(tmp_path, settings):
    mount = tmp_path / "media"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs for the disk-full test: {done.stderr.strip()}")
    settings.MEDIA_ROOT = str(mount)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Take all the room there is."""
    ballast = disk / "ballast"
    with ballast.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    return ballast


def workbook() -> bytes:
    line = add_line(1)
    return xlsx_bytes([TEMPLATE_HEADER, [
        1, "增员", line["name"], line["id_number"], "城镇本地", "上海", "8000", "2026-12-01",
        "是", "13800000000", ""]])


def test_a_full_disk_refuses_the_upload_whole_and_it_goes_through_with_room(
        api_client, company, small_disk):
    api_client.force_authenticate(UserFactory(role=Role.CLIENT_ADMIN, client=company))
    data = workbook()
    ballast = fill(small_disk)

    full = api_client.post("/api/v1/orders/import/",
                           {"file": SimpleUploadedFile("增减员.xlsx", data)},
                           format="multipart")
    left = sorted(str(p.relative_to(small_disk)) for p in small_disk.rglob("*") if p.is_file())
    nothing = (RosterOrder.objects.count(), ArchiveItem.objects.count())
    ballast.unlink()
    room = api_client.post("/api/v1/orders/import/",
                           {"file": SimpleUploadedFile("增减员.xlsx", data)},
                           format="multipart")

    assert full.status_code == 507
    assert full.json()["error"]["code"] == "storage_full"
    assert (left, nothing) == (["ballast"], (0, 0))
    assert room.status_code == 201
    order = RosterOrder.objects.get()
    assert order.source_file.read() == data
