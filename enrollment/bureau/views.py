"""Staff pages of the bureau interchange (报盘/回盘): export the submitted tasks of a city,
scheme and action as the bureau's batch file; import the bureau's feedback file and show
what it did, row by row."""

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from agency.access import staff_required
from agency.errors import DomainError
from agency.files import download_response
from agency.http import ViewerRequest
from agency.roles import REVEAL_ROLES
from enrollment.bureau.services import bureau_export, bureau_feedback_import
from enrollment.models import LineAction, Scheme
from policies.models import City

FEEDBACK_MAX_BYTES = 10 * 1024 * 1024


def _city_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=_("City"), queryset=City.objects.order_by("code"),
                                  to_field_name="code")


class ExportForm(forms.Form):
    city = _city_field()
    scheme = forms.ChoiceField(label=_("Scheme"), choices=Scheme.choices)
    action = forms.ChoiceField(label=_("Action"), choices=LineAction.choices)


class FeedbackForm(forms.Form):
    city = _city_field()
    scheme = forms.ChoiceField(label=_("Scheme"), choices=Scheme.choices)
    file = forms.FileField(label=_("Feedback file from the bureau (.xlsx)"))


def _page(
    request: ViewerRequest, *, export_form: ExportForm | None = None,
    feedback_form: FeedbackForm | None = None, report: object = None,
    error: DomainError | None = None, status: int = 200,
) -> HttpResponse:
    return render(request, "enrollment/bureau/page.html", {
        "export_form": export_form or ExportForm(),
        "feedback_form": feedback_form or FeedbackForm(),
        "report": report, "error": error,
    }, status=status)


@staff_required(*REVEAL_ROLES)
@require_GET
def staff_bureau(request: ViewerRequest) -> HttpResponse:
    return _page(request)


@staff_required(*REVEAL_ROLES)
@require_POST
def staff_bureau_export(request: ViewerRequest) -> HttpResponse:
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _page(request, export_form=form, status=400)
    export = bureau_export(
        city=form.cleaned_data["city"], scheme=form.cleaned_data["scheme"],
        action=form.cleaned_data["action"], actor=request.user, request=request,
    )
    return download_response(
        export.data, filename=export.filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@staff_required(*REVEAL_ROLES)
@require_POST
def staff_bureau_feedback(request: ViewerRequest) -> HttpResponse:
    form = FeedbackForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, feedback_form=form, status=400)
    upload = form.cleaned_data["file"]
    if (upload.size or 0) > FEEDBACK_MAX_BYTES:
        error = DomainError(code="file_too_large",
                            message="文件超过 10 MB / The file is larger than 10 MB")
        return _page(request, feedback_form=form, error=error, status=400)
    try:
        report = bureau_feedback_import(
            data=upload.read(), city=form.cleaned_data["city"],
            scheme=form.cleaned_data["scheme"], actor=request.user, request=request,
        )
    except DomainError as exc:
        return _page(request, feedback_form=form, error=exc, status=400)
    return _page(request, feedback_form=FeedbackForm(), report=report)
