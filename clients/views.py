"""Staff and portal pages of the clients app: thin, the services decide.

Role rules (same as the API): every staff role reads; `admin` and `manager` create and
change clients, contracts, representatives, portal users and API keys."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agency.access import portal_required, staff_required
from agency.errors import DomainError
from agency.files import stored_file_response
from agency.forms import add_domain_errors
from agency.http import ViewerRequest
from agency.models import User
from agency.roles import Role
from archive.models import ItemKind
from archive.selectors import item_list
from clients.documents import client_document_download, contract_pdf
from clients.forms import (
    ApiKeyForm,
    AssignRepForm,
    ClientForm,
    ContractForm,
    CorrespondenceForm,
    PortalUserForm,
    PriceFormSet,
    TerminateForm,
)
from clients.models import INCLUDED_SERVICE_FIELDS, Client, Contract, SizeTier, size_tier
from clients.selectors import (
    api_key_get,
    api_key_list,
    client_get,
    client_headcount,
    client_of_viewer,
    client_with_headcount_list,
    contract_current,
    contract_get,
    contract_list,
    rep_load_list,
)
from clients.services import (
    MAX_PERSONS_PER_REP,
    PriceInput,
    api_key_issue,
    api_key_revoke,
    client_assign_rep,
    client_save,
    client_set_active,
    client_verify_licence,
    contract_activate,
    contract_create,
    contract_terminate,
    correspondence_log,
    portal_user_create,
)

MANAGERS = (Role.ADMIN, Role.MANAGER)


def _pdf_response(contract: Contract) -> HttpResponse:
    response = HttpResponse(contract_pdf(contract=contract), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="contract-{contract.number}.pdf"'
    return response


def _flash_error(request: ViewerRequest, exc: DomainError) -> None:
    messages.error(request, str(exc.message))


def _run_action(request: ViewerRequest, action: Callable[[], object], success: str,
                back_to: str, pk: int) -> HttpResponse:
    """Run a POST action's service; its DomainError is shown as a message."""
    try:
        action()
        messages.success(request, success)
    except DomainError as exc:
        _flash_error(request, exc)
    return redirect(back_to, pk=pk)


# --- staff: clients ---------------------------------------------------------------------


@staff_required()
def staff_client_list(request: ViewerRequest) -> HttpResponse:
    q = request.GET
    rep = q.get("rep", "")
    clients = client_with_headcount_list(
        viewer=request.viewer,
        search=q.get("q", "").strip(), ownership_type=q.get("ownership_type", ""),
        industry=q.get("industry", ""), tier=q.get("tier", ""),
        service_rep_id=int(rep) if rep.isdigit() else None,
    )[:500]
    return render(request, "clients/staff_client_list.html", {
        "rows": [(c, size_tier(c.headcount)) for c in clients], "q": q,
        "ownership_types": Client.OwnershipType.choices, "industries": Client.Industry.choices,
        "tiers": SizeTier.choices,
        "reps": User.objects.filter(role=Role.SERVICE_REP).order_by("username"),
    })


def _client_form_save(request: ViewerRequest, client: Client | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if client is not None:
        initial = {f: getattr(client, f) for f in (
            "name", "uscc", "ownership_type", "industry", "office_address", "contact_name",
            "contact_phone", "contact_email", "work_injury_risk_class")}
        initial["city"] = client.city.code if client.city else ""
    form = ClientForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            client = client_save(
                client=client, name=d["name"], uscc=d["uscc"],
                ownership_type=d["ownership_type"], industry=d["industry"],
                office_address=d["office_address"], city_code=d["city"] or None,
                contact_name=d["contact_name"], contact_phone=d["contact_phone"],
                contact_email=d["contact_email"],
                work_injury_risk_class=d["work_injury_risk_class"],
                licence_scan=d["licence_scan"],
                actor=request.user,
            )
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Client saved."))
            return redirect("staff-clients-detail", pk=client.pk)
    title = _("Edit client") if client else _("New client")
    return render(request, "agency/form_page.html", {"form": form, "title": title,
                                                     "multipart": True})


@staff_required(*MANAGERS)
def staff_client_create(request: ViewerRequest) -> HttpResponse:
    return _client_form_save(request, None)


@staff_required(*MANAGERS)
def staff_client_edit(request: ViewerRequest, pk: int) -> HttpResponse:
    return _client_form_save(request, client_get(viewer=request.viewer, pk=pk))


@staff_required()
def staff_client_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    viewer = request.viewer
    client = client_get(viewer=viewer, pk=pk)
    headcount = client_headcount(client=client)
    return render(request, "clients/staff_client_detail.html", {
        "client": client, "headcount": headcount, "tier": size_tier(headcount),
        "contracts": contract_list(viewer=viewer).filter(client=client),
        "api_keys": api_key_list(viewer=viewer, client=client),
        "portal_users": client.portal_users.order_by("username"),
        "assign_form": AssignRepForm(initial={"service_rep": client.service_rep_id}),
        "api_key_form": ApiKeyForm(),
        "can_manage": viewer.has_role(*MANAGERS),
        "correspondence": item_list(viewer=viewer, client_id=client.pk,
                                    kind=ItemKind.CORRESPONDENCE).order_by("-created_at")[:20],
    })


@staff_required()
def staff_correspondence_create(request: ViewerRequest, pk: int) -> HttpResponse:
    """Log a call, e-mail, letter or meeting with the client (STD-4.8 correspondence)."""
    client = client_get(viewer=request.viewer, pk=pk)
    form = CorrespondenceForm(request.POST or None, request.FILES or None,
                              initial={"occurred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            correspondence_log(client=client, channel=d["channel"], incoming=d["incoming"],
                               occurred_on=d["occurred_on"], subject=d["subject"],
                               summary=d["summary"], upload=d["file"], actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Correspondence logged."))
            return redirect("staff-clients-detail", pk=client.pk)
    return render(request, "agency/form_page.html", {
        "form": form, "multipart": True,
        "title": _("Log correspondence with %(client)s") % {"client": client.name}})


@require_POST
@staff_required(*MANAGERS)
def staff_client_verify_licence(request: ViewerRequest, pk: int) -> HttpResponse:
    client = client_get(viewer=request.viewer, pk=pk)
    return _run_action(request, lambda: client_verify_licence(
        client=client, actor=request.user),
        _("Business licence verified."), "staff-clients-detail", pk)


@require_POST
@staff_required(*MANAGERS)
def staff_client_set_active(request: ViewerRequest, pk: int) -> HttpResponse:
    """Deactivate (`active=0`) or reactivate (`active=1`) the client."""
    client = client_get(viewer=request.viewer, pk=pk)
    active = request.POST.get("active") == "1"
    return _run_action(request, lambda: client_set_active(
        client=client, active=active, actor=request.user),
        _("Client activated.") if active else _("Client deactivated."),
        "staff-clients-detail", pk)


@require_POST
@staff_required(*MANAGERS)
def staff_client_assign_rep(request: ViewerRequest, pk: int) -> HttpResponse:
    client = client_get(viewer=request.viewer, pk=pk)
    form = AssignRepForm(request.POST)
    if form.is_valid():
        try:
            client_assign_rep(client=client, rep=form.cleaned_data["service_rep"],
                              actor=request.user)
            messages.success(request, _("Service representative assigned."))
        except DomainError as exc:
            _flash_error(request, exc)
    else:
        messages.error(request, _("Choose a service representative."))
    return redirect("staff-clients-detail", pk=pk)


@staff_required(*MANAGERS)
def staff_portal_user_create(request: ViewerRequest, pk: int) -> HttpResponse:
    client = client_get(viewer=request.viewer, pk=pk)
    form = PortalUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            portal_user_create(client=client, username=d["username"],
                               display_name=d["display_name"], role=d["role"],
                               password=d["password"], actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Portal user created."))
            return redirect("staff-clients-detail", pk=pk)
    return render(request, "agency/form_page.html", {
        "form": form, "title": _("New portal user for %(client)s") % {"client": client.name}})


@require_POST
@staff_required(*MANAGERS)
def staff_api_key_create(request: ViewerRequest, pk: int) -> HttpResponse:
    client = client_get(viewer=request.viewer, pk=pk)
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the key a name."))
        return redirect("staff-clients-detail", pk=pk)
    api_key, key = api_key_issue(client=client, name=form.cleaned_data["name"],
                                 actor=request.user)
    response = render(request, "clients/staff_api_key_issued.html",
                      {"client": client, "api_key": api_key, "key": key})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@staff_required(*MANAGERS)
def staff_api_key_revoke(request: ViewerRequest, pk: int) -> HttpResponse:
    api_key = api_key_get(viewer=request.viewer, pk=pk)
    api_key_revoke(api_key=api_key, actor=request.user)
    messages.success(request, _("API key revoked."))
    return redirect("staff-clients-detail", pk=api_key.client_id)


@staff_required()
def staff_client_licence_scan(request: ViewerRequest, pk: int) -> HttpResponse:
    return _scan_response(request, client_get(viewer=request.viewer, pk=pk))


def _scan_response(request: ViewerRequest, document: Client | Contract) -> HttpResponse:
    """A stored scan after its audit row (undone if the file is gone: 404)."""
    with transaction.atomic():
        return stored_file_response(client_document_download(
            document=document, actor=request.user, request=request))


@staff_required()
def staff_rep_load(request: ViewerRequest) -> HttpResponse:
    reps = rep_load_list(viewer=request.viewer)
    return render(request, "clients/staff_rep_load.html",
                  {"reps": reps, "limit": MAX_PERSONS_PER_REP})


# --- staff: contracts -------------------------------------------------------------------


@staff_required()
def staff_contract_list(request: ViewerRequest) -> HttpResponse:
    contracts = contract_list(viewer=request.viewer,
                              status=request.GET.get("status", ""),
                              search=request.GET.get("q", "").strip())[:500]
    return render(request, "clients/staff_contract_list.html", {
        "contracts": contracts, "statuses": Contract.Status.choices, "q": request.GET})


@staff_required(*MANAGERS)
def staff_contract_create(request: ViewerRequest) -> HttpResponse:
    initial = {"client": request.GET.get("client")} if request.GET.get("client") else {}
    form = ContractForm(request.POST or None, request.FILES or None, initial=initial)
    formset = PriceFormSet(request.POST or None, prefix="prices")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        prices = [PriceInput(city_code=p["city"], price_per_head=p["price_per_head"],
                             override_reason=p.get("override_reason", ""),
                             work_injury_rate=p.get("work_injury_rate"))
                  for p in formset.cleaned_data if p]
        try:
            contract = contract_create(
                client=d["client"], number=d["number"], starts_on=d["starts_on"],
                ends_on=d["ends_on"], prices=prices, housing_fund_rate=d["housing_fund_rate"],
                sections={k: d[k] for k in ("rights_and_obligations", "service_content",
                                            "fees_and_payment", "breach_liability")},
                services={k: d[k] for k in INCLUDED_SERVICE_FIELDS},
                signed_scan=d["signed_scan"], actor=request.user,
            )
        except DomainError as exc:
            filled = [f for f in formset.forms if f.cleaned_data]
            on_lines = [(e, e.line) for e in exc.details if e.line and e.line <= len(filled)]
            for e, line in on_lines:
                field = "override_reason" if e.field == "price_override_reason" else e.field
                filled[line - 1].add_error(field, str(e.message))
            line_errors = [e for e, _line in on_lines]
            exc.details = [e for e in exc.details if e not in line_errors]
            if exc.details or not line_errors:
                add_domain_errors(form, exc)
        else:
            messages.success(request, _("Contract saved as draft."))
            return redirect("staff-contracts-detail", pk=contract.pk)
    return render(request, "clients/staff_contract_form.html",
                  {"form": form, "formset": formset})


@staff_required()
def staff_contract_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    viewer = request.viewer
    contract = contract_get(viewer=viewer, pk=pk)
    return render(request, "clients/staff_contract_detail.html", {
        "contract": contract, "can_manage": viewer.has_role(*MANAGERS),
        "is_draft": contract.status == Contract.Status.DRAFT,
        "is_open": contract.status in (Contract.Status.DRAFT, Contract.Status.ACTIVE),
        "terminate_form": TerminateForm(),
    })


@require_POST
@staff_required(*MANAGERS)
def staff_contract_activate(request: ViewerRequest, pk: int) -> HttpResponse:
    contract = contract_get(viewer=request.viewer, pk=pk)
    return _run_action(request, lambda: contract_activate(
        contract=contract, actor=request.user),
        _("Contract activated."), "staff-contracts-detail", pk)


@require_POST
@staff_required(*MANAGERS)
def staff_contract_terminate(request: ViewerRequest, pk: int) -> HttpResponse:
    contract = contract_get(viewer=request.viewer, pk=pk)
    return _run_action(request, lambda: contract_terminate(
        contract=contract, reason=request.POST.get("reason", ""),
        actor=request.user),
        _("Contract terminated."), "staff-contracts-detail", pk)


@staff_required()
def staff_contract_scan(request: ViewerRequest, pk: int) -> HttpResponse:
    return _scan_response(request, contract_get(viewer=request.viewer, pk=pk))


@staff_required()
def staff_contract_pdf(request: ViewerRequest, pk: int) -> HttpResponse:
    return _pdf_response(contract_get(viewer=request.viewer, pk=pk))


# --- portal -----------------------------------------------------------------------------


@portal_required()
def portal_client_profile(request: ViewerRequest) -> HttpResponse:
    viewer = request.viewer
    client = client_of_viewer(viewer=viewer)
    headcount = client_headcount(client=client)
    return render(request, "clients/portal_profile.html", {
        "client": client, "headcount": headcount, "tier": size_tier(headcount),
        "contract": contract_current(viewer=viewer, client=client),
    })


@portal_required()
def portal_contract_list(request: ViewerRequest) -> HttpResponse:
    contracts = contract_list(viewer=request.viewer)
    return render(request, "clients/portal_contract_list.html", {"contracts": contracts})


@portal_required()
def portal_contract_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    contract = contract_get(viewer=request.viewer, pk=pk)
    return render(request, "clients/portal_contract_detail.html", {"contract": contract})


@portal_required()
def portal_contract_scan(request: ViewerRequest, pk: int) -> HttpResponse:
    return _scan_response(request, contract_get(viewer=request.viewer, pk=pk))


@portal_required()
def portal_contract_pdf(request: ViewerRequest, pk: int) -> HttpResponse:
    return _pdf_response(contract_get(viewer=request.viewer, pk=pk))


