"""The audit log's page: search by actor, action, client, target and date range, page by
page, and export the rows found as CSV (the export is itself audited). Administrators
and managers only; every other role gets the 404 of a page it does not know."""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from agency.access import staff_required
from agency.audit import AUDIT_ROLES, AuditFilters, audit_event_search, audit_export_csv
from agency.errors import DomainError
from agency.http import ViewerRequest
from agency.models import AuditEvent

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), max_length=150, required=False)
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=[("", "—"), *AuditEvent.Action.choices])
    client = forms.IntegerField(label=_("Client id"), required=False, min_value=1,
                                max_value=2**63 - 1)
    target_type = forms.CharField(label=_("Target type"), max_length=100, required=False)
    target_id = forms.CharField(label=_("Target id"), max_length=64, required=False)
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def filters(self) -> AuditFilters:
        """The filters of a valid form (an invalid one filters by nothing it could not
        read: its errors show next to the fields)."""
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return AuditFilters(
            actor=(data.get("actor") or "").strip(), action=data.get("action") or "",
            client_id=data.get("client"), target_type=data.get("target_type") or "",
            target_id=data.get("target_id") or "", date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


def _form(request: ViewerRequest) -> AuditFilterForm:
    return AuditFilterForm(request.GET or None)


@staff_required(*AUDIT_ROLES)
@require_GET
def staff_audit(request: ViewerRequest) -> HttpResponse:
    form = _form(request)
    rows = audit_event_search(viewer=request.viewer, filters=form.filters())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "agency/audit_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
    })


@staff_required(*AUDIT_ROLES)
@require_GET
def staff_audit_export(request: ViewerRequest) -> HttpResponse:
    form = _form(request)
    query = request.GET.urlencode()
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(f"{reverse('staff-audit')}?{query}")
    try:
        export = audit_export_csv(viewer=request.viewer, filters=form.filters(),
                                  actor=request.user, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('staff-audit')}?{query}")
    response = StreamingHttpResponse(export.lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    # streamed, not built in memory: the guards' type names HttpResponse, Django takes both
    return cast(HttpResponse, response)
