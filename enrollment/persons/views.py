"""Staff and portal pages of insured persons and their papers.

Staff: list (search, filters; a whole ID number is searched by its lookup hash and never
put in a URL), detail with papers, enrolments and change history, reveal (POST, audited),
paper upload and download, the HR-outsourcing letter, a masked export (audited), and
exports of full ID numbers through an approved request (`export_services`).
Portal: the client's own persons, masked; client administrators upload papers."""

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agency.access import portal_required, staff_required
from agency.errors import DomainError
from agency.files import download_response
from agency.forms import add_domain_errors
from agency.http import ViewerRequest
from agency.roles import REVEAL_ROLES, Role
from agency.viewer import Viewer
from clients.selectors import client_list
from enrollment.models import Enrollment, InsuredPerson, Paper
from enrollment.persons.enrollment_services import housing_fund_seal, housing_fund_unseal
from enrollment.persons.export_services import (
    EXPORT_APPROVER_ROLES,
    export_request_create,
    export_request_decide,
    export_request_download,
    person_export_masked,
)
from enrollment.persons.paper_services import outsourcing_letter_pdf, paper_download, paper_upload
from enrollment.persons.selectors import (
    current_enrollment,
    export_request_get,
    export_request_list,
    id_number_search_hash,
    paper_checklist,
    paper_get,
    paper_list,
    person_get,
    person_list,
    person_pages,
    personal_data,
    scoped_enrollments,
    supplying_client,
)
from enrollment.persons.services import (
    PERSON_EDITABLE_FIELDS,
    Revealed,
    person_create,
    person_reveal,
    person_update,
)
from policies.models import City

PAGE_SIZE = 50


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, last four or whole ID number"), required=False,
                        max_length=50)
    client = forms.TypedChoiceField(label=_("Client"), required=False, coerce=int,
                                    empty_value=None)
    city = forms.ChoiceField(label=_("City"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Any status")), *Enrollment.Status.choices],
    )

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        city_field = self.fields["city"]
        assert isinstance(city_field, forms.ChoiceField)  # noqa: S101 - declared above
        city_field.choices = [("", _("Any city")),
                              *City.objects.values_list("code", "name")]
        client_field = self.fields["client"]
        assert isinstance(client_field, forms.ChoiceField)  # noqa: S101 - declared above
        if viewer.is_staff:
            client_field.choices = [("", _("Any client")),
                                    *client_list(viewer=viewer).values_list("pk", "name")]
        else:
            del self.fields["client"]


class PaperUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Paper.Kind.choices)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG, at most 10 MB)"))


class PersonForm(forms.Form):
    """Parses the page's input; the rules live in `person_create` / `person_update`."""

    name = forms.CharField(label=_("Name"), max_length=100)
    id_document_type = forms.ChoiceField(label=_("Identity document"),
                                         choices=InsuredPerson.DocumentType.choices)
    id_number = forms.CharField(label=_("ID number"), max_length=40)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    hukou_type = forms.ChoiceField(label=_("Hukou type"), required=False,
                                   choices=[("", "—"), *InsuredPerson.HukouType.choices])
    hukou_address = forms.CharField(label=_("Hukou address"), max_length=200, required=False)
    education_level = forms.ChoiceField(label=_("Education"), required=False,
                                        choices=[("", "—"), *InsuredPerson.EducationLevel.choices])
    school = forms.CharField(label=_("School"), max_length=100, required=False)
    major = forms.CharField(label=_("Major"), max_length=100, required=False)
    graduated_on = forms.DateField(label=_("Graduation date"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    education_certificate_number = forms.CharField(label=_("Education certificate number"),
                                                   max_length=50, required=False)
    employment_type = forms.ChoiceField(label=_("Employment type"),
                                        choices=InsuredPerson.EmploymentType.choices)
    labour_contract_starts_on = forms.DateField(label=_("Labour contract starts on"),
                                                required=False,
                                                widget=forms.DateInput(attrs={"type": "date"}))
    labour_contract_ends_on = forms.DateField(label=_("Labour contract ends on"),
                                              required=False,
                                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # the secrets are never put back into a form: empty keeps them
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("Leave empty to keep the current number.")
            self.fields["hukou_address"].help_text = _("Leave empty to keep the current address.")



_LOOKUP_HASH = re.compile(r"^[0-9a-f]{64}$")


def _filtered(
    request: ViewerRequest, viewer: Viewer, *, paged: bool = False
) -> tuple[PersonFilterForm, Any]:
    """The list's form and its persons: a queryset (exports), or what a paginator pages
    through (`paged`: see `person_pages`)."""
    form = PersonFilterForm(request.GET or None, viewer=viewer)
    data = form.cleaned_data if form.is_valid() else {}
    number_hash = request.GET.get("idh", "")
    persons = (person_pages if paged else person_list)(
        viewer=viewer, search=data.get("q") or "", status=data.get("status") or "",
        client_id=data.get("client"), city_code=data.get("city") or "",
        id_number_hash=number_hash if _LOOKUP_HASH.match(number_hash) else "",
    )
    return form, persons


def _search_redirect(request: ViewerRequest, params: Any) -> HttpResponse | None:
    """The search form posts; the page it shows is a GET whose URL never holds a whole ID
    number: such a term becomes `idh`, its lookup hash. A whole number typed into a GET URL
    by hand is answered the same way (a redirect to the hashed URL)."""
    query = params.copy()
    for name in ("csrfmiddlewaretoken", "page"):
        query.pop(name, None)
    term = query.get("q", "")
    number_hash = id_number_search_hash(term) if term else ""
    if request.method == "GET" and not number_hash:
        return None
    if number_hash:
        query.pop("q", None)
        query["idh"] = number_hash
    return redirect(f"{request.path}?{query.urlencode()}")


def _list(request: ViewerRequest, face: str) -> HttpResponse:
    viewer = request.viewer
    moved = _search_redirect(request, request.POST if request.method == "POST" else request.GET)
    if moved is not None:
        return moved
    form, persons = _filtered(request, viewer, paged=True)
    page = Paginator(persons, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(p, current_enrollment(p)) for p in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    staff = face == "staff"
    return render(request, "enrollment/person/list.html", {
        "face": face, "form": form, "page": page, "rows": rows,
        "query": query.urlencode(),
        "by_number": bool(request.GET.get("idh")),
        "can_export": staff,
        "can_request_export": staff and viewer.has_role(*REVEAL_ROLES),
        "export_form": ExportRequestForm() if staff else None,
    })


def _detail(
    request: ViewerRequest, pk: int, face: str, *, upload_form: PaperUploadForm | None = None,
    upload_error: DomainError | None = None, status: int = 200,
    revealed: Revealed | None = None,
) -> HttpResponse:
    viewer = request.viewer
    person = person_get(viewer=viewer, pk=pk)
    can_upload = viewer.is_staff or viewer.has_role(Role.CLIENT_ADMIN)
    history: list[Any] = []
    shown = personal_data(viewer=viewer, person=person, today=timezone.localdate())
    if face == "staff":
        history = list(person.history.select_related("history_user")[:20])
    return render(request, "enrollment/person/detail.html", {
        "face": face, "person": person, "current": current_enrollment(person),
        "shown": shown,
        "enrollments": scoped_enrollments(person),
        "checklist": paper_checklist(viewer=viewer, person=person),
        "papers": paper_list(viewer=viewer, person=person),
        "history": history,
        "can_reveal": face == "staff" and viewer.has_role(*REVEAL_ROLES),
        "can_upload": can_upload,
        "upload_form": upload_form or PaperUploadForm(),
        "upload_error": upload_error,
        "revealed": revealed,
    }, status=status)


def _upload(request: ViewerRequest, pk: int, face: str) -> HttpResponse:
    viewer = request.viewer
    person = person_get(viewer=viewer, pk=pk)
    form = PaperUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, pk, face, upload_form=form, status=400)
    client = supplying_client(viewer=viewer, person=person, raw=request.POST.get("client"))
    try:
        paper_upload(person=person, client=client, kind=form.cleaned_data["kind"],
                     upload=form.cleaned_data["file"], actor=request.user)
    except DomainError as error:
        return _detail(request, pk, face, upload_form=form, upload_error=error, status=400)
    return redirect(f"{face}-persons-detail", pk=person.pk)


def _download(request: ViewerRequest, pk: int, paper_pk: int) -> HttpResponse:
    """The file (at most 10 MB) as an attachment, after the audit row is written."""
    viewer = request.viewer
    person = person_get(viewer=viewer, pk=pk)
    paper = paper_get(viewer=viewer, person=person, pk=paper_pk)
    try:  # an ID-card scan: staff without the reveal right get 403
        paper_download(paper=paper, actor=request.user, request=request)
    except DomainError as error:
        raise PermissionDenied(str(error.message)) from error
    return paper_file_response(paper)


def paper_file_response(paper: Paper) -> HttpResponse:
    """A paper's file as a private attachment (the API sends it the same way)."""
    filename = f"{paper.person.name}-{paper.get_kind_display()}{paper.extension}"
    return download_response(paper.file, filename=filename, content_type=paper.content_type)


def _letter(request: ViewerRequest, pk: int) -> HttpResponse:
    viewer = request.viewer
    person = person_get(viewer=viewer, pk=pk)
    client = supplying_client(viewer=viewer, person=person, raw=request.GET.get("client"))
    pdf = outsourcing_letter_pdf(person=person, client=client)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="outsourcing-letter.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- staff ----------------------------------------------------------------------------


@staff_required()
@require_http_methods(["GET", "POST"])
def staff_person_list(request: ViewerRequest) -> HttpResponse:
    return _list(request, "staff")


@staff_required()
@require_GET
def staff_person_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    return _detail(request, pk, "staff")


@staff_required(*REVEAL_ROLES)
@require_POST
def staff_person_reveal(request: ViewerRequest, pk: int) -> HttpResponse:
    person = person_get(viewer=request.viewer, pk=pk)
    revealed = person_reveal(person=person, actor=request.user, request=request)
    if request.headers.get("HX-Request"):
        response = render(request, "enrollment/person/_revealed.html",
                          {"person": person, "revealed": revealed})
    else:  # without htmx: the whole page, the number in place of the masked one
        response = _detail(request, pk, "staff", revealed=revealed)
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required()
@require_POST
def staff_paper_upload(request: ViewerRequest, pk: int) -> HttpResponse:
    return _upload(request, pk, "staff")


@staff_required()
@require_GET
def staff_paper_download(request: ViewerRequest, pk: int, paper_pk: int) -> HttpResponse:
    return _download(request, pk, paper_pk)


@staff_required()
@require_GET
def staff_person_letter(request: ViewerRequest, pk: int) -> HttpResponse:
    return _letter(request, pk)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_response(data: bytes, name: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return download_response(data, filename=f"{name}-{stamp}.xlsx", content_type=XLSX)


def _export_filters(form: PersonFilterForm, request: ViewerRequest) -> dict[str, Any]:
    """The filters of an export as the audit log and the request keep them: never a
    whole number (a search by one is recorded as such, without the number or its hash)."""
    filters = {k: v for k, v in (form.cleaned_data if form.is_bound else {}).items() if v}
    if request.GET.get("idh"):
        filters["q"] = "<whole ID number>"
    return filters


@staff_required()
@require_GET
def staff_person_export(request: ViewerRequest) -> HttpResponse:
    """The listed persons, masked (last four, birth year): any staff member, audited."""
    viewer = request.viewer
    form, persons = _filtered(request, viewer)
    data = person_export_masked(persons=persons, actor=request.user,
                                filters=_export_filters(form, request), request=request)
    return _xlsx_response(data, "persons-masked")


class ExportRequestForm(forms.Form):
    reason = forms.CharField(label=_("Reason for exporting full ID numbers"), max_length=500,
                             widget=forms.TextInput(attrs={"size": 40}))


@staff_required(*REVEAL_ROLES)
@require_GET
def staff_export_request_list(request: ViewerRequest) -> HttpResponse:
    viewer = request.viewer
    return render(request, "enrollment/person/export_requests.html", {
        "requests": export_request_list(viewer=viewer)[:200],
        "can_decide": viewer.has_role(*EXPORT_APPROVER_ROLES),
        "now": timezone.now(),
    })


@staff_required(*REVEAL_ROLES)
@require_POST
def staff_export_request_create(request: ViewerRequest) -> HttpResponse:
    """Request an export of full ID numbers of the persons the list's filters (in the
    query string, as the list page has them) select."""
    viewer = request.viewer
    form, persons = _filtered(request, viewer)
    reason_form = ExportRequestForm(request.POST)
    reason = reason_form.cleaned_data["reason"] if reason_form.is_valid() else ""
    client_id = form.cleaned_data.get("client") if form.is_bound and form.is_valid() else None
    client = client_list(viewer=viewer).filter(pk=client_id).first() if client_id else None
    try:
        export_request_create(persons=persons, actor=request.user, reason=reason,
                              filters=_export_filters(form, request), client=client,
                              request=request)
    except DomainError as error:
        for detail in error.details or []:
            messages.error(request, detail.message)
        if not error.details:
            messages.error(request, str(error.message))
        return redirect(f"{reverse('staff-persons-list')}?{request.GET.urlencode()}")
    messages.success(request, _("Export requested: a manager will decide on it."))
    return redirect("staff-persons-export-requests")


@staff_required(*EXPORT_APPROVER_ROLES)
@require_POST
def staff_export_request_decide(request: ViewerRequest, pk: int) -> HttpResponse:
    export = export_request_get(viewer=request.viewer, pk=pk)
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "refuse"):
        messages.error(request, _("Choose approve or refuse."))
        return redirect("staff-persons-export-requests")
    try:
        export_request_decide(export=export, actor=request.user, approve=decision == "approve",
                              note=request.POST.get("note", ""), now=timezone.now(),
                              request=request)
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("staff-persons-export-requests")


@staff_required(*REVEAL_ROLES)
@require_POST
def staff_export_request_download(request: ViewerRequest, pk: int) -> HttpResponse:
    """The approved workbook, once, for its requester (anyone else: 404)."""
    viewer = request.viewer
    export = export_request_get(viewer=viewer, pk=pk)
    if export.requester_id != request.user.pk:
        raise Http404
    try:
        data = export_request_download(export=export, actor=request.user, viewer=viewer,
                                       now=timezone.now(), request=request)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("staff-persons-export-requests")
    return _xlsx_response(data, "persons")


def _person_form(
    request: ViewerRequest, form: PersonForm, person: InsuredPerson | None,
    save: Callable[[dict[str, Any]], InsuredPerson],
) -> HttpResponse:
    """Create and edit share this: a valid form goes to the service; its errors come back
    next to the fields they name."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(dict(form.cleaned_data))
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            return redirect("staff-persons-detail", pk=saved.pk)
    return render(request, "enrollment/person/form.html", {"form": form, "person": person},
                  status=400 if form.is_bound else 200)


@staff_required(*REVEAL_ROLES)
def staff_person_create(request: ViewerRequest) -> HttpResponse:
    actor = request.user
    return _person_form(request, PersonForm(request.POST or None), None,
                        lambda data: person_create(actor=actor, **data))


@staff_required(*REVEAL_ROLES)
def staff_person_edit(request: ViewerRequest, pk: int) -> HttpResponse:
    person = person_get(viewer=request.viewer, pk=pk)
    initial = {name: getattr(person, name) for name in PERSON_EDITABLE_FIELDS}
    initial["id_document_type"] = person.id_document_type
    form = PersonForm(request.POST or None, initial=initial, editing=True)
    actor = request.user

    def save(data: dict[str, Any]) -> InsuredPerson:
        address = data.pop("hukou_address") or None  # empty keeps the current address
        return person_update(person=person, actor=actor, hukou_address=address, **data)

    return _person_form(request, form, person, save)


@staff_required(*REVEAL_ROLES)
@require_POST
def staff_housing_fund_action(request: ViewerRequest, pk: int, enrollment_pk: int,
                              action: str) -> HttpResponse:
    """Seal (封存) or unseal (启封) one housing-fund enrolment of the person."""
    person = person_get(viewer=request.viewer, pk=pk)
    enrollment = next((e for e in scoped_enrollments(person) if e.pk == enrollment_pk), None)
    if enrollment is None:
        raise Http404
    actor = request.user
    try:
        if action == "seal":
            housing_fund_seal(enrollment=enrollment, on=timezone.localdate(), actor=actor)
        else:
            housing_fund_unseal(enrollment=enrollment, actor=actor)
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("staff-persons-detail", pk=person.pk)


# --- portal ---------------------------------------------------------------------------


@portal_required()
@require_http_methods(["GET", "POST"])
def portal_person_list(request: ViewerRequest) -> HttpResponse:
    return _list(request, "portal")


@portal_required()
@require_GET
def portal_person_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    return _detail(request, pk, "portal")


@portal_required(Role.CLIENT_ADMIN)
@require_POST
def portal_paper_upload(request: ViewerRequest, pk: int) -> HttpResponse:
    return _upload(request, pk, "portal")


@portal_required()
@require_GET
def portal_paper_download(request: ViewerRequest, pk: int, paper_pk: int) -> HttpResponse:
    return _download(request, pk, paper_pk)


@portal_required()
@require_GET
def portal_person_letter(request: ViewerRequest, pk: int) -> HttpResponse:
    return _letter(request, pk)
