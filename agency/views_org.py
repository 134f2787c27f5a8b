"""Staff pages of the agency's own organisation: licences (STD-3.1) and staff
qualifications (STD-3.2.1–3.2.3). Every staff role reads; admin and manager write."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.access import staff_required
from agency.errors import DomainError
from agency.files import stored_file_response
from agency.forms import LicenceForm, StaffProfileForm, add_domain_errors
from agency.http import ViewerRequest
from agency.models import Licence, StaffProfile, User
from agency.roles import STAFF_ROLES, Role
from agency.selectors import (
    licence_expiring_list,
    licence_list,
    staff_qualification_get,
    staff_qualification_list,
)
from agency.services import licence_save, staff_profile_save

MANAGERS = (Role.ADMIN, Role.MANAGER)


@staff_required()
def staff_licence_list(request: ViewerRequest) -> HttpResponse:
    viewer = request.viewer
    today = timezone.localdate()
    return render(request, "agency/staff_licence_list.html", {
        "licences": licence_list(viewer=viewer), "today": today,
        "expiring": licence_expiring_list(viewer=viewer, today=today),
        "can_manage": viewer.has_role(*MANAGERS),
    })


def _licence_form(request: ViewerRequest, licence: Licence | None) -> HttpResponse:
    initial = {}
    if licence is not None:
        initial = {f: getattr(licence, f) for f in
                   ("kind", "number", "authority", "valid_from", "valid_to")}
    form = LicenceForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            licence_save(licence=licence, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Licence saved."))
            return redirect("staff-licences-list")
    title = _("Edit licence") if licence else _("New licence")
    return render(request, "agency/form_page.html", {"form": form, "title": title,
                                                     "multipart": True})


@staff_required(*MANAGERS)
def staff_licence_create(request: ViewerRequest) -> HttpResponse:
    return _licence_form(request, None)


@staff_required(*MANAGERS)
def staff_licence_edit(request: ViewerRequest, pk: int) -> HttpResponse:
    licence = licence_list(viewer=request.viewer).filter(pk=pk).first()
    if licence is None:
        raise Http404
    return _licence_form(request, licence)


@staff_required()
def staff_licence_scan(request: ViewerRequest, pk: int) -> HttpResponse:
    licence = licence_list(viewer=request.viewer).filter(pk=pk).first()
    if licence is None:
        raise Http404
    return stored_file_response(licence.scan)


@staff_required()
def staff_profile_list(request: ViewerRequest) -> HttpResponse:
    viewer = request.viewer
    return render(request, "agency/staff_profile_list.html", {
        "rows": staff_qualification_list(viewer=viewer, today=timezone.localdate()),
        "can_manage": viewer.has_role(*MANAGERS),
    })


@staff_required(*MANAGERS)
def staff_profile_edit(request: ViewerRequest, user_id: int) -> HttpResponse:
    user = User.objects.filter(pk=user_id, role__in=sorted(STAFF_ROLES)).first()
    if user is None:
        raise Http404
    profile = StaffProfile.objects.filter(user=user).first()
    initial = {}
    if profile is not None:
        initial = {f: getattr(profile, f) for f in (
            "education", "hr_experience_since", "certificate_number", "certificate_valid_until")}
    form = StaffProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            staff_profile_save(user=user, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            q = staff_qualification_get(user=user, today=timezone.localdate())
            messages.success(request, _("Staff profile saved.") if q.qualified else
                             _("Staff profile saved; not qualified: %(reasons)s")
                             % {"reasons": "；".join(q.reasons)})
            return redirect("staff-profiles-list")
    return render(request, "agency/form_page.html", {
        "form": form, "title": _("Staff profile of %(user)s") % {"user": user}})
