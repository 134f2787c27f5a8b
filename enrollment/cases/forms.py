"""Forms of the case pages: they only parse (the case services decide)."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from agency.forms import DateInput, MonthField
from clients.models import Client
from enrollment.cases.checklists import checklist_of
from enrollment.models import CaseStatus, CaseType, InsuredPerson


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.id_number_masked}"


class CaseForm(forms.Form):
    """A new case; the person is one the client has (or had) enrolled."""

    person = PersonChoiceField(label=_("Insured person"),
                                    queryset=InsuredPerson.objects.none())
    type = forms.ChoiceField(label=_("Kind of matter"), choices=CaseType.choices)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    incident_date = forms.DateField(label=_("Incident date (work injury)"), required=False,
                                    widget=DateInput)
    period_from = MonthField(label=_("Back-payment from (month)"), required=False)
    period_to = MonthField(label=_("Back-payment to (month, exclusive)"), required=False)

    def __init__(self, *args: Any, persons: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = persons


class StaffCaseForm(CaseForm):
    """Staff first choose the client (the page reloads with `?client=` to list its
    persons), then the person."""

    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none())
    field_order = ["client", "person", "type", "description", "incident_date",
                   "period_from", "period_to"]

    def __init__(self, *args: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["client"]).queryset = clients


class CaseFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Kind of matter"), required=False,
                             choices=[("", _("Any kind")), *CaseType.choices])
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Open cases")), *CaseStatus.choices])
    client = forms.TypedChoiceField(label=_("Client"), required=False, coerce=int,
                                    empty_value=None)

    def __init__(self, *args: Any, clients: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if clients is None:
            del self.fields["client"]
            return
        field = cast(forms.ChoiceField, self.fields["client"])
        field.choices = [("", _("Any client")), *clients.values_list("pk", "name")]


class StepDoneForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class PaperForm(forms.Form):
    step_key = forms.ChoiceField(label=_("Paper"))
    file = forms.FileField(label=_("File (PDF, JPEG or PNG, at most 10 MB)"))

    def __init__(self, *args: Any, case_type: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["step_key"]).choices = [
            (item.key, item.label) for item in checklist_of(case_type) if item.is_paper]


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}))


class WaitForm(forms.Form):
    note = forms.CharField(label=_("What the client must supply"),
                           widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[
        (CaseStatus.SUCCEEDED.value, CaseStatus.SUCCEEDED.label),
        (CaseStatus.FAILED.value, CaseStatus.FAILED.label),
        (CaseStatus.CANCELLED.value, CaseStatus.CANCELLED.label),
    ])
    note = forms.CharField(label=_("Result or reason"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(forms.Form):
    note = forms.CharField(label=_("Reason for cancelling"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
