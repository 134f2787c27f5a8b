"""Batches of proofs of enrolment (参保证明批量): started from the portal's persons page or
the staff client page, rendered by the worker's tasks (run here in the test's process with
`apply`), each proof made once however often its task runs, one ZIP filed in the archive,
the start and the download audited, scoped like single proofs."""

import datetime
import hashlib
import io
import zipfile

import pytest

from agency.models import AuditEvent
from agency.roles import Role
from archive.models import ArchiveItem, ItemKind
from enrollment.models import ProofBatch, ProofBatchItem, ProofOfEnrolment
from enrollment.proofs.batch import proof_batch_chunks, proof_batch_finish
from enrollment.proofs.tasks import proof_batch_chunk_task
from tests.enrollment.order_fixtures import enrolled
from tests.factories import UserFactory
from tests.pdf_utils import pdf_text

pytestmark = pytest.mark.django_db

DECEMBER = datetime.date(2026, 12, 1)


@pytest.fixture
def persons(company, shanghai, policies):
    return [enrolled(company, shanghai, n, name=name)
            for n, name in ((11, "张三"), (12, "李四"), (13, "王五"))]


@pytest.fixture
def portal(client, company):
    client.force_login(UserFactory(role=Role.CLIENT_VIEWER, client=company))
    return client


@pytest.fixture
def run_worker(django_capture_on_commit_callbacks):
    """What the worker does with the batch's tasks: each chunk, then the ZIP (its file
    moves to its archive name when the transaction commits)."""
    def run(batch_id: int) -> int:
        made = 0
        with django_capture_on_commit_callbacks(execute=True):
            for item_ids in proof_batch_chunks(batch_id=batch_id):
                made += proof_batch_chunk_task.apply(
                    kwargs={"batch_id": batch_id, "item_ids": item_ids}).get()
        return made

    return run


def zip_entries(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_portal_starts_a_batch_follows_it_and_downloads_one_zip(
        portal, company, persons, django_capture_on_commit_callbacks, run_worker):
    with django_capture_on_commit_callbacks() as sent:
        started = portal.post("/portal/proof-batches/new/", {"month": "2026-12"})
    batch = ProofBatch.objects.get()
    waiting = portal.get(f"/portal/proof-batches/{batch.pk}/status/").json()
    early = portal.get(f"/portal/proof-batches/{batch.pk}/proofs.zip")

    made = run_worker(batch.pk)
    page = portal.get(f"/portal/proof-batches/{batch.pk}/")
    done = portal.get(f"/portal/proof-batches/{batch.pk}/status/").json()
    response = portal.get(f"/portal/proof-batches/{batch.pk}/proofs.zip")

    assert started.status_code == 302 and started["Location"] == (
        f"/portal/proof-batches/{batch.pk}/")
    assert len(sent) == 1  # the worker's task, sent after the commit
    assert (batch.client, batch.month, batch.total) == (company, DECEMBER, 3)
    assert (waiting["done"], waiting["total"], waiting["percent"], waiting["finished"]) == (
        0, 3, 0, False)
    assert early.status_code == 302  # not made yet: back to the progress page
    assert made == 3
    assert (done["done"], done["total"], done["percent"], done["finished"]) == (3, 3, 100, True)
    assert page.status_code == 200
    assert f'href="/portal/proof-batches/{batch.pk}/proofs.zip"' in page.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    entries = zip_entries(response.content)
    proofs = {p.person.name: p for p in ProofOfEnrolment.objects.select_related("person")}
    assert sorted(entries) == sorted(
        f"{n:04d}-{name}-2026-12-{proofs[name].verification_code}.pdf"
        for n, name in enumerate(("张三", "李四", "王五"), start=1))
    for name, pdf in entries.items():
        proof = proofs[name.split("-")[1]]
        assert hashlib.sha256(pdf).hexdigest() == proof.sha256
        text = pdf_text(pdf)
        assert proof.person.id_number_masked in text and proof.verification_code in text
    item = ArchiveItem.objects.get()
    assert (item.kind, item.client_id, item.month, item.title) == (
        ItemKind.CORRESPONDENCE, company.pk, DECEMBER, "参保证明 2026-12 × 3")
    events = list(AuditEvent.objects.filter(target_type="enrollment.proofbatch")
                  .values_list("action", "client_id_ref", "detail").order_by("pk"))
    assert events == [
        ("export", company.pk, {"what": "proof_batch", "month": "2026-12", "persons": 3,
                                "chosen": False}),
        ("download", company.pk, {"what": "proof_batch", "month": "2026-12", "persons": 3,
                                  "sha256": item.sha256}),
    ]


def test_tasks_delivered_twice_make_each_proof_and_the_zip_once(portal, persons, run_worker):
    portal.post("/portal/proof-batches/new/", {"month": "2026-12"})
    batch = ProofBatch.objects.get()
    first = run_worker(batch.pk)
    item_ids = list(batch.items.values_list("pk", flat=True))

    again = proof_batch_chunk_task.apply(
        kwargs={"batch_id": batch.pk, "item_ids": item_ids}).get()

    assert (first, again, proof_batch_finish(batch_id=batch.pk)) == (3, 0, False)
    assert ProofOfEnrolment.objects.count() == 3
    assert ArchiveItem.objects.count() == 1
    assert ProofBatchItem.objects.filter(proof__isnull=False).count() == 3


def test_staff_choose_persons_from_the_client_page(client, staff_user, company, persons,
                                                  run_worker):
    client.force_login(staff_user(Role.MANAGER))
    chosen = [persons[0].pk, persons[2].pk]

    form = client.get(f"/staff/clients/{company.pk}/proof-batches/new/", {"person": chosen})
    started = client.post(f"/staff/clients/{company.pk}/proof-batches/new/",
                          {"month": "2026-12", "person": chosen})
    batch = ProofBatch.objects.get()
    run_worker(batch.pk)

    assert form.status_code == 200
    assert 'data-testid="proof-batch-chosen"' in form.content.decode()
    assert started.status_code == 302
    assert sorted(batch.items.values_list("person__name", flat=True)) == ["张三", "王五"]
    assert ProofOfEnrolment.objects.count() == 2


def test_a_person_the_client_did_not_enrol_that_month_is_refused(
        client, staff_user, company, persons, shanghai, other_client_company):
    stranger = enrolled(other_client_company, shanghai, 14, name="赵六")
    client.force_login(staff_user(Role.MANAGER))

    refused = client.post(f"/staff/clients/{company.pk}/proof-batches/new/",
                          {"month": "2026-12", "person": [persons[0].pk, stranger.pk]})
    early = client.post(f"/staff/clients/{company.pk}/proof-batches/new/",
                        {"month": "2025-12"})

    assert refused.status_code == 400
    assert "所选人员中有人该月份不在该客户参保" in refused.content.decode()
    assert early.status_code == 400
    assert "该月份该客户没有参保人员" in early.content.decode()
    assert ProofBatch.objects.count() == 0
    assert not AuditEvent.objects.filter(target_type="enrollment.proofbatch").exists()


def test_another_clients_batch_and_a_rep_of_other_clients_get_404(
        client, portal, company, persons, staff_user, other_client_company, run_worker):
    portal.post("/portal/proof-batches/new/", {"month": "2026-12"})
    batch = ProofBatch.objects.get()
    run_worker(batch.pk)
    client.logout()
    client.force_login(UserFactory(role=Role.CLIENT_ADMIN, client=other_client_company))
    other_portal = [client.get(f"/portal/proof-batches/{batch.pk}/{tail}").status_code
                    for tail in ("", "status/", "proofs.zip")]
    client.logout()
    client.force_login(staff_user(Role.SERVICE_REP))  # serves no client
    rep = [client.get(f"/staff/proof-batches/{batch.pk}/{tail}").status_code
           for tail in ("", "status/", "proofs.zip")]
    rep_start = client.get(f"/staff/clients/{company.pk}/proof-batches/new/").status_code

    assert other_portal == [404, 404, 404]
    assert (rep, rep_start) == ([404, 404, 404], 404)
    assert not AuditEvent.objects.filter(action="download").exists()
