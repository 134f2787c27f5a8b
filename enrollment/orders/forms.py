"""Forms of the roster-order pages: they parse input only; every rule of an order lives in
`enrollment.orders.services` (the same checks as the API)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agency.viewer import Viewer
from clients.selectors import client_list
from enrollment.models import (
    OPEN_LINE_STATUSES,
    Enrollment,
    InsuredPerson,
    LineAction,
    LineStatus,
    Paper,
    Scheme,
    TaskStatus,
)
from policies.models import City

ROW_FIELDS = ("action", "name", "id_number", "hukou_type", "city", "base", "effective_date",
              "housing_fund", "phone", "reason")
INITIAL_ROWS = 3
MAX_ROWS = 200


def _choices(pairs: Any, empty: Any = "—") -> list[tuple[str, Any]]:
    return [("", empty), *pairs]


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    """Fill a declared choice field's choices when the form is built."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared as a choice field
    field.choices = choices


class OrderRowForm(forms.Form):
    """One line of the order form, as the API's line; blank rows are skipped."""

    action = forms.CharField(label=_("Action"), required=False,
                             widget=forms.Select(choices=_choices(LineAction.choices)))
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    id_number = forms.CharField(label=_("ID number"), required=False, max_length=40)
    hukou_type = forms.CharField(
        label=_("Hukou type"), required=False,
        widget=forms.Select(choices=_choices(InsuredPerson.HukouType.choices)))
    city = forms.CharField(label=_("City"), required=False, widget=forms.Select())
    base = forms.CharField(label=_("Base"), required=False, max_length=20,
                           help_text=_("An amount, or min / max"))
    effective_date = forms.CharField(label=_("Effective date"), required=False, max_length=20,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    housing_fund = forms.CharField(
        label=_("Housing fund"), required=False,
        widget=forms.Select(choices=[("", _("As the contract says")), ("yes", _("Yes")),
                                     ("no", _("No"))]))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    reason = forms.CharField(label=_("Removal reason"), required=False,
                             widget=forms.Select(choices=_choices(Enrollment.EndReason.choices)))

    def __init__(self, *args: Any, cities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city"].widget.choices = _choices(cities)

    def line(self) -> dict[str, Any] | None:
        """The API line of this row, or None for a blank row."""
        data = self.cleaned_data
        if not any((data.get(f) or "").strip() for f in ROW_FIELDS if f != "housing_fund"):
            return None
        line: dict[str, Any] = {f: data[f].strip() for f in ROW_FIELDS
                                if f != "housing_fund" and (data.get(f) or "").strip()}
        if data.get("housing_fund") in ("yes", "no"):
            line["housing_fund"] = data["housing_fund"] == "yes"
        return line


OrderRowFormSet = forms.formset_factory(
    OrderRowForm, extra=INITIAL_ROWS, max_num=MAX_ROWS, absolute_max=MAX_ROWS,
    validate_max=True,
)


def city_choices() -> list[tuple[str, str]]:
    return [(code, f"{name} ({code})") for code, name in
            City.objects.order_by("code").values_list("code", "name")]


class ExcelUploadForm(forms.Form):
    file = forms.FileField(label=_("Roster workbook (.xlsx)"))


class EmailIntakeForm(forms.Form):
    client = forms.TypedChoiceField(label=_("Client"), coerce=int)
    workbook = forms.FileField(label=_("Roster workbook from the e-mail (.xlsx)"))
    sealed_scan = forms.FileField(label=_("Sealed roster scan (PDF, JPEG or PNG)"))
    correspondence = forms.FileField(label=_("The e-mail itself (.eml)"))
    received_at = forms.DateTimeField(
        label=_("E-mail received at"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Leave empty for now. The 48-hour deadline counts from this time."))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "client", _choices(
            client_list(viewer=viewer).order_by("name").values_list("pk", "name")))


class PaperForm(forms.Form):
    kind = forms.ChoiceField(choices=Paper.Kind.choices, widget=forms.HiddenInput)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG, at most 10 MB)"))


TRANSITION_TARGETS = (TaskStatus.SUBMITTED, TaskStatus.SUCCEEDED, TaskStatus.FAILED,
                      TaskStatus.RETURNED, TaskStatus.RECEIVED, TaskStatus.CANCELLED)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"), choices=[
        (s, TaskStatus(s).label) for s in TRANSITION_TARGETS])
    scheme = forms.ChoiceField(label=_("Scheme"), required=False,
                               choices=_choices(Scheme.choices, _("All schemes")))
    reason = forms.CharField(label=_("Reason (required for failed and returned)"),
                             required=False, max_length=500)


class QueueFilterForm(forms.Form):
    client = forms.TypedChoiceField(label=_("Client"), required=False, coerce=int,
                                    empty_value=None)
    city = forms.ChoiceField(label=_("City"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_choices(
        [(s, LineStatus(s).label) for s in OPEN_LINE_STATUSES], _("Any status")))
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=_choices(LineAction.choices, _("Any action")))

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "client", _choices(
            client_list(viewer=viewer).order_by("name").values_list("pk", "name"),
            _("Any client")))
        _set_choices(self, "city", _choices(
            City.objects.order_by("code").values_list("code", "name"), _("Any city")))
