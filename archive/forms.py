"""Forms of the archive pages: they only parse."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from agency.directory import client_choices
from agency.forms import MonthField
from archive.models import AppraisalDecision, ItemKind


class ItemSearchForm(forms.Form):
    client_id = forms.TypedChoiceField(label=_("Client"), required=False, coerce=int,
                                       empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All kinds")), *ItemKind.choices])
    month = MonthField(label=_("Month"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["client_id"])
        field.choices = [("", _("All clients")), *client_choices()]


class LoanForm(forms.Form):
    borrower = forms.CharField(label=_("Borrower"), max_length=100)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))


class AppraisalForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=AppraisalDecision.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea)
    extend_to = forms.DateField(label=_("Retain until"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))


class DestructionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea)
