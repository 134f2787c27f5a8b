"""Proof-of-enrolment pages: the download form on the staff and portal person pages, and
the public check page of a verification code (no login)."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from agency.access import portal_required, staff_required
from agency.errors import DomainError
from agency.files import download_response
from agency.forms import MonthField
from agency.http import ViewerRequest
from enrollment.persons.selectors import person_get, scoped_enrollments
from enrollment.proofs.selectors import proof_check
from enrollment.proofs.services import IssuedProof, proof_issue


class ProofForm(forms.Form):
    month = MonthField(label=_("Month"))
    client = forms.IntegerField(label=_("Client"), required=False, min_value=1)


def proof_response(issued: IssuedProof) -> HttpResponse:
    """The issued proof, shown in the browser (`proof_issue` has audited it)."""
    return download_response(issued.pdf, filename=issued.filename,
                             content_type="application/pdf", inline=True)


def _download(request: ViewerRequest, pk: int, face: str) -> HttpResponse:
    viewer = request.viewer
    person = person_get(viewer=viewer, pk=pk)
    form = ProofForm(request.GET)
    error: DomainError | None = None
    if form.is_valid():
        try:
            issued = proof_issue(
                viewer=viewer, person=person, month=form.cleaned_data["month"],
                actor=request.user,
                site_url=request.build_absolute_uri("/"),
                client_id=form.cleaned_data.get("client") if viewer.is_staff else None,
                request=request,
            )
        except DomainError as exc:
            error = exc
        else:
            return proof_response(issued)
    return render(request, "enrollment/proof/form.html",
                  {"face": face, "person": person, "form": form, "error": error,
                   "enrollments": scoped_enrollments(person)},
                  status=400)


@staff_required()
@require_GET
def staff_person_proof(request: ViewerRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "staff")


@portal_required()
@require_GET
def portal_person_proof(request: ViewerRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "portal")


@never_cache
@require_GET
def verify_proof(request: HttpRequest, code: str) -> HttpResponse:
    """Public: is this a proof we issued? Shows the masked name, client, city, month and
    issue date, nothing more."""
    check = proof_check(code=code)
    return render(request, "enrollment/proof/verify.html", {"check": check},
                  status=200 if check.valid else 404)
