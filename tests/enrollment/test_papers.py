"""Papers (STD-4.4): content-checked uploads, checklist, audited downloads, the letter."""

import hashlib
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.errors import ValidationFailed
from agency.models import AuditEvent
from agency.roles import Role
from agency.viewer import Viewer
from enrollment.demo import DEMO_PDF, DEMO_PNG
from enrollment.models import Paper
from enrollment.persons.paper_services import paper_upload
from enrollment.persons.selectors import paper_checklist, papers_missing
from tests.enrollment.factories_person import JPEG, enrolled_person, pdf_upload, png_upload
from tests.factories import UserFactory
from tests.pdf_utils import pdf_text

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
STAFF = Viewer(role=Role.MANAGER, client_id=None, user_id=1)


def test_upload_stores_the_file_in_the_archive_under_a_name_without_the_person(
        settings, client_company, committed):
    person = enrolled_person(client_company)

    with committed():
        paper = paper_upload(person=person, client=client_company, kind="photo",
                             upload=png_upload("我的照片.png"), actor=None)

    paper.refresh_from_db()
    assert paper.content_type == "image/png"
    assert paper.size == len(DEMO_PNG)
    assert paper.sha256 == hashlib.sha256(DEMO_PNG).hexdigest()
    assert paper.original_name == "我的照片.png"
    path = Path(paper.file.path)
    month = timezone.localdate()
    assert path.parent == Path(settings.MEDIA_ROOT) / "archive" / f"{month:%Y}" / f"{month:%m}"
    # a random name (uuid4's 32 hex digits), nothing of the person or of the upload's name
    # (a check for the person's pk in it failed when that pk was a digit the hex held)
    assert re.fullmatch(r"[0-9a-f]{32}", path.stem) and "照片" not in path.name
    assert path.suffix == ".png"
    assert path.read_bytes() != DEMO_PNG  # encrypted at rest (agency.storage)
    assert paper.file.open("rb").read() == DEMO_PNG


@pytest.mark.parametrize(("data", "content_type"), [
    (DEMO_PDF, "application/pdf"), (JPEG, "image/jpeg"), (DEMO_PNG, "image/png")])
def test_pdf_jpeg_and_png_are_recognised_by_content(client_company, data, content_type):
    person = enrolled_person(client_company)
    upload = SimpleUploadedFile("scan.bin", data, content_type="application/octet-stream")

    paper = paper_upload(person=person, client=client_company, kind="labour_contract",
                         upload=upload, actor=None)

    assert paper.content_type == content_type


def test_an_exe_renamed_to_pdf_is_refused(client_company):
    person = enrolled_person(client_company)
    upload = SimpleUploadedFile("contract.pdf", EXE, content_type="application/pdf")

    with pytest.raises(ValidationFailed) as exc:
        paper_upload(person=person, client=client_company, kind="labour_contract",
                     upload=upload, actor=None)

    assert [(d.field, d.code, d.message) for d in exc.value.details] == [
        ("file", "file_type",
         "仅接受 PDF、JPEG 或 PNG 文件 / Only PDF, JPEG or PNG files are accepted")]
    assert Paper.objects.count() == 0


def test_an_11_mb_file_is_refused(client_company):
    person = enrolled_person(client_company)
    upload = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))

    with pytest.raises(ValidationFailed) as exc:
        paper_upload(person=person, client=client_company, kind="labour_contract",
                     upload=upload, actor=None)

    assert [(d.field, d.code) for d in exc.value.details] == [("file", "file_too_large")]
    assert Paper.objects.count() == 0


def test_staff_upload_page_refuses_an_exe_and_an_11_mb_file_with_a_clear_message(
        client, staff_user, client_company):
    person = enrolled_person(client_company)
    client.force_login(staff_user(Role.MANAGER))
    url = f"/staff/persons/{person.pk}/papers/"

    exe = client.post(url, {"kind": "labour_contract",
                            "file": SimpleUploadedFile("setup.pdf", EXE)})
    big = client.post(url, {"kind": "labour_contract",
                            "file": SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 11_534_336)})

    assert exe.status_code == 400
    assert "仅接受 PDF、JPEG 或 PNG 文件 / Only PDF, JPEG or PNG files are accepted" in (
        exe.content.decode())
    assert big.status_code == 400
    assert "文件超过 10 MB / The file is larger than 10 MB" in big.content.decode()
    assert Paper.objects.count() == 0


def test_staff_upload_then_download_is_audited(client, staff_user, client_company, committed):
    person = enrolled_person(client_company)
    user = staff_user(Role.MANAGER)
    client.force_login(user)

    with committed():
        response = client.post(f"/staff/persons/{person.pk}/papers/",
                               {"kind": "id_card_front", "file": png_upload()})
    paper = Paper.objects.get()
    download = client.get(f"/staff/persons/{person.pk}/papers/{paper.pk}/")

    assert response.status_code == 302
    assert (paper.client, paper.uploaded_by, paper.kind) == (client_company, user, "id_card_front")
    assert download.status_code == 200
    assert download.content == DEMO_PNG
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD)
    assert (event.actor, event.target_id, event.client_id_ref) == (
        user, str(paper.pk), client_company.pk)


def test_client_admin_uploads_in_the_portal_and_client_viewer_cannot(client, client_company):
    person = enrolled_person(client_company)
    admin = UserFactory(role=Role.CLIENT_ADMIN, client=client_company)
    viewer = UserFactory(role=Role.CLIENT_VIEWER, client=client_company)
    url = f"/portal/persons/{person.pk}/papers/"

    client.force_login(viewer)
    refused = client.post(url, {"kind": "photo", "file": png_upload()})
    client.force_login(admin)
    accepted = client.post(url, {"kind": "photo", "file": png_upload()})

    assert refused.status_code == 404
    assert accepted.status_code == 302
    assert Paper.objects.get().uploaded_by == admin


def test_media_files_have_no_public_url(client, client_company):
    person = enrolled_person(client_company)
    paper = paper_upload(person=person, client=client_company, kind="photo",
                         upload=png_upload(), actor=None)

    assert client.get(f"/media/{paper.file.name}").status_code == 404
    assert client.get(f"/{paper.file.name}").status_code == 404


def test_checklist_names_what_is_missing(client_company):
    person = enrolled_person(client_company)
    for kind in ("id_card_front", "id_card_back", "photo"):
        paper_upload(person=person, client=client_company, kind=kind, upload=png_upload(),
                     actor=None)
    paper_upload(person=person, client=client_company, kind="labour_contract",
                 upload=pdf_upload(), actor=None)

    checklist = paper_checklist(viewer=STAFF, person=person)

    assert [(item.kind, item.present) for item in checklist] == [
        ("id_card_front", True), ("id_card_back", True), ("household_register", False),
        ("education_certificate", False), ("photo", True), ("labour_contract", True),
        ("outsourcing_letter", False)]
    assert papers_missing([person]) == {person.pk: [
        "household_register", "education_certificate", "outsourcing_letter"]}


def test_outsourcing_letter_pdf_is_in_chinese_with_the_masked_number(client, client_company):
    person = enrolled_person(client_company, name="王小明", id_number="11010519491231002X")
    client.force_login(UserFactory(role=Role.CLIENT_VIEWER, client=client_company))

    response = client.get(f"/portal/persons/{person.pk}/letter.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "关于公司实施人力资源外包事宜的函" in text
    assert "王小明（证件号码：**************002X）" in text
    assert client_company.name in text
    assert "11010519491231002X" not in text
