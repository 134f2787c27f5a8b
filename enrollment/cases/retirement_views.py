"""The persons of a client reaching the statutory retirement age in the next six months
(portal: the client's own; staff: any client, or `?client=N`), each with a link to open
its retirement case. Thin: parse, call `persons_retiring`, render."""

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agency.access import portal_required, staff_required
from agency.http import ViewerRequest
from agency.viewer import Viewer
from clients.selectors import client_list
from enrollment.cases.retirement import persons_retiring

WINDOW_MONTHS = 6


class RetiringFilterForm(forms.Form):
    client = forms.TypedChoiceField(label=_("Client"), required=False, coerce=int,
                                    empty_value=None)

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["client"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", _("Any client")),
                         *client_list(viewer=viewer).order_by("name").values_list("pk", "name")]


def _page(request: ViewerRequest, face: str, client_id: int | None,
          form: RetiringFilterForm | None, valid: bool = True) -> HttpResponse:
    today = timezone.localdate()
    rows = persons_retiring(viewer=request.viewer, today=today, months=WINDOW_MONTHS,
                            client_id=client_id) if valid else []
    return render(request, "enrollment/case/retiring.html", {
        "face": face, "form": form, "rows": rows, "today": today,
        "months": WINDOW_MONTHS, "create_path": f"/{face}/cases/new/",
    })


@portal_required()
def portal_cases_retiring(request: ViewerRequest) -> HttpResponse:
    return _page(request, "portal", None, None)


@staff_required()
def staff_cases_retiring(request: ViewerRequest) -> HttpResponse:
    form = RetiringFilterForm(request.GET or None, viewer=request.viewer)
    if not form.is_bound:
        return _page(request, "staff", None, form)
    valid = form.is_valid()
    client_id = form.cleaned_data.get("client") if valid else None
    return _page(request, "staff", client_id, form, valid)
