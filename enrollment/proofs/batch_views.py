"""Pages of proof-of-enrolment batches: start one (staff from the client's page or the
persons list, the portal from its persons page), follow it (the shared progress partial
polls the status), download its ZIP."""

from typing import Any

from django import forms
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from agency.access import portal_required, staff_required
from agency.errors import DomainError
from agency.files import download_response
from agency.forms import MonthField
from agency.http import ViewerRequest
from clients.models import Client
from enrollment.models import ProofBatch
from enrollment.proofs.batch import batch_client, proof_batch_download, proof_batch_start
from enrollment.proofs.selectors import (
    proof_batch_errors,
    proof_batch_get,
    proof_batch_progress,
)


class BatchForm(forms.Form):
    month = MonthField(label=gettext_lazy("Month"))


def _chosen(values: list[str]) -> list[int]:
    """The chosen persons' ids (the service checks each is one the client enrolled that
    month); anything but a number is refused the same way."""
    return [int(v) if v.isdigit() and len(v) < 12 else 0 for v in values]


def _start(request: ViewerRequest, client: Client, face: str) -> HttpResponse:
    form = BatchForm(request.POST if request.method == "POST" else None)
    chosen = _chosen(request.GET.getlist("person") if request.method == "GET" else (
        request.POST.getlist("person")))
    error: DomainError | None = None
    if request.method == "POST" and form.is_valid():
        persons = chosen or None
        try:
            batch = proof_batch_start(
                viewer=request.viewer, client=client, month=form.cleaned_data["month"],
                actor=request.user, site_url=request.build_absolute_uri("/"),
                person_ids=persons, request=request)
        except DomainError as exc:
            error = exc
        else:
            return redirect(f"{face}-proof-batch-detail", pk=batch.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "enrollment/proof/batch_start.html", {
        "face": face, "client": client, "form": form, "error": error,
        "chosen": chosen}, status=status)


@staff_required()
@require_http_methods(["GET", "POST"])
def staff_batch_start(request: ViewerRequest, pk: int) -> HttpResponse:
    return _start(request, batch_client(viewer=request.viewer, pk=pk), "staff")


@portal_required()
@require_http_methods(["GET", "POST"])
def portal_batch_start(request: ViewerRequest) -> HttpResponse:
    client = batch_client(viewer=request.viewer, pk=request.viewer.client_id or 0)
    return _start(request, client, "portal")


def batch_status(batch: ProofBatch) -> dict[str, Any]:
    """What the progress partial shows: made / total, then the ZIP."""
    p = proof_batch_progress(batch)
    percent = 100 if p.finished else (p.done * 100 // p.total if p.total else 0)
    if p.finished:
        text = _("All proofs are made: download the ZIP.")
    elif p.done == 0:
        text = _("Waiting for the worker to start the batch…")
    else:
        text = _("Made %(done)s / %(total)s proofs") % {"done": p.done, "total": p.total}
    summary = ""
    if p.finished:
        summary = _("%(made)s proofs in the ZIP, %(failed)s could not be made.") % {
            "made": p.made, "failed": p.failed}
    return {"state": batch.status, "done": p.done, "total": p.total, "percent": percent,
            "finished": p.finished, "failed": False, "text": text, "summary": summary}


def _detail(request: ViewerRequest, pk: int, face: str) -> HttpResponse:
    batch = proof_batch_get(viewer=request.viewer, pk=pk)
    return render(request, "enrollment/proof/batch_detail.html", {
        "face": face, "batch": batch, "status": batch_status(batch),
        "errors": proof_batch_errors(batch),
        "status_url": reverse(f"{face}-proof-batch-status", args=[batch.pk]),
        "zip_url": reverse(f"{face}-proof-batch-zip", args=[batch.pk]),
    })


def _status(request: ViewerRequest, pk: int) -> JsonResponse:
    response = JsonResponse(batch_status(proof_batch_get(viewer=request.viewer, pk=pk)))
    response["Cache-Control"] = "no-store"
    return response


def _zip(request: ViewerRequest, pk: int, face: str) -> HttpResponse:
    batch = proof_batch_get(viewer=request.viewer, pk=pk)
    try:
        file = proof_batch_download(batch=batch, actor=request.user, request=request)
    except DomainError:  # not made yet: the progress page says so
        return redirect(f"{face}-proof-batch-detail", pk=batch.pk)
    return download_response(file, filename=f"proofs-{batch.month:%Y-%m}-{batch.pk}.zip",
                             content_type="application/zip")


@staff_required()
@require_GET
def staff_batch_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    return _detail(request, pk, "staff")


@portal_required()
@require_GET
def portal_batch_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    return _detail(request, pk, "portal")


@staff_required()
@require_GET
def staff_batch_status(request: ViewerRequest, pk: int) -> JsonResponse:
    return _status(request, pk)


@portal_required()
@require_GET
def portal_batch_status(request: ViewerRequest, pk: int) -> JsonResponse:
    return _status(request, pk)


@staff_required()
@require_GET
def staff_batch_zip(request: ViewerRequest, pk: int) -> HttpResponse:
    return _zip(request, pk, "staff")


@portal_required()
@require_GET
def portal_batch_zip(request: ViewerRequest, pk: int) -> HttpResponse:
    return _zip(request, pk, "portal")
