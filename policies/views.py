"""Pages of the enrollment app: city policies (staff) and the contribution quote (both
faces). Thin: parse with a form, call a selector or service, render."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.access import portal_required, staff_required
from agency.errors import DomainError
from agency.forms import add_domain_errors
from agency.http import ViewerRequest
from agency.roles import Role
from policies.forms import PolicyItemForm, PolicyVersionForm, QuoteForm
from policies.models import PolicyItem, kind_label
from policies.selectors import (
    city_get,
    city_list_with_current,
    policy_version_get,
    policy_version_history,
    policy_version_list,
    quote,
)
from policies.services import (
    ITEM_FIELDS,
    policy_item_add,
    policy_item_update,
    policy_version_copy,
    policy_version_update,
)

EDITORS = (Role.ADMIN, Role.MANAGER)


def _can_edit(request: ViewerRequest) -> bool:
    return request.viewer.has_role(*EDITORS)


def _quote(request: ViewerRequest, base_template: str) -> HttpResponse:
    form = QuoteForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = quote(**form.cleaned_data).contribution
        except DomainError as error:
            add_domain_errors(form, error)
    rows = []
    if result is not None:
        labels = {i.kind: i.label for i in result.policy.items}
        rows = [(kind_label(i.kind, labels.get(i.kind, "")), i) for i in result.items]
    # htmx swaps the page's #quote (form with its errors, and the table) in place
    return render(request, "policies/quote.html", {
        "form": form, "result": result, "rows": rows, "base_template": base_template,
    })


@staff_required()
def staff_quote(request: ViewerRequest) -> HttpResponse:
    return _quote(request, "staff/base.html")


@portal_required()
def portal_quote(request: ViewerRequest) -> HttpResponse:
    return _quote(request, "portal/base.html")


@staff_required()
def staff_city_list(request: ViewerRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = city_list_with_current(on=today)
    return render(request, "policies/city_list.html", {"rows": rows, "today": today})


@staff_required()
def staff_city_detail(request: ViewerRequest, code: str) -> HttpResponse:
    city = city_get(code=code)
    return render(request, "policies/city_detail.html", {
        "city": city, "versions": policy_version_list(city=city),
    })


@staff_required()
def staff_policy_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    version = policy_version_get(pk=pk)
    return render(request, "policies/version_detail.html", {
        "version": version, "items": version.items.all(), "can_edit": _can_edit(request),
        "history": [
            (kind_label(h.kind, h.label), h) for h in policy_version_history(version=version)
        ],
    })


def _form_page(
    request: ViewerRequest,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    done: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A POSTed valid form is handed to `save` (a service call); its DomainError shows by
    the fields it names, success redirects to the version page of what `save` returns."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, done)
            version_pk = saved.version_id if isinstance(saved, PolicyItem) else saved.pk
            return redirect("staff-policies-detail", pk=version_pk)
    return render(request, template, {"form": form, **context})


@staff_required(*EDITORS)
def staff_policy_copy(request: ViewerRequest, pk: int) -> HttpResponse:
    source = policy_version_get(pk=pk)
    form = PolicyVersionForm(request.POST or None, initial={
        "notice": source.notice, "provisional": source.provisional,
    })
    return _form_page(
        request, form,
        lambda data: policy_version_copy(source=source, actor=request.user, **data),
        _("New policy version created; now edit its figures."),
        "policies/form_page.html",
        {"version": source, "title": _("New version from this one")},
    )


@staff_required(*EDITORS)
def staff_policy_edit(request: ViewerRequest, pk: int) -> HttpResponse:
    version = policy_version_get(pk=pk)
    form = PolicyVersionForm(request.POST or None, initial={
        "effective_from": version.effective_from, "effective_to": version.effective_to,
        "notice": version.notice, "provisional": version.provisional,
    })
    return _form_page(
        request, form,
        lambda data: policy_version_update(version=version, actor=request.user, **data),
        _("Policy version saved."),
        "policies/form_page.html",
        {"version": version, "title": _("Edit policy version")},
    )


@staff_required(*EDITORS)
def staff_policy_item_edit(request: ViewerRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(PolicyItem.objects.select_related("version__city"), pk=pk)
    form = PolicyItemForm(
        request.POST or None, initial={name: getattr(item, name) for name in ITEM_FIELDS}
    )
    return _form_page(
        request, form,
        lambda data: policy_item_update(item=item, fields=data, actor=request.user),
        _("Policy item saved."),
        "policies/form_page.html",
        {"version": item.version, "title": _("Edit policy item"), "subject": item.display_kind},
    )


@staff_required(*EDITORS)
def staff_policy_item_add(request: ViewerRequest, pk: int) -> HttpResponse:
    """Add an item (e.g. a city-specific extra) to a version that is not locked."""
    version = policy_version_get(pk=pk)
    form = PolicyItemForm(request.POST or None)
    return _form_page(
        request, form,
        lambda data: policy_item_add(version=version, fields=data, actor=request.user),
        _("Policy item saved."),
        "policies/form_page.html",
        {"version": version, "title": _("Add policy item")},
    )
