"""Forms of the billing pages: they parse input; the services decide (a missing dispute
reason, an over-payment, a bad row of the tax platform's file are the services' errors)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from agency.forms import DateInput, MonthField
from billing.models import BillStatus, Payment


class BillFilterForm(forms.Form):
    month = MonthField(label=_("month"), required=False)
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("All statuses")), *BillStatus.choices])
    q = forms.CharField(label=_("client"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("Name or USCC")}))


class MonthForm(forms.Form):
    month = MonthField(label=_("month"))


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("amount"), max_digits=14, decimal_places=2,
                                widget=forms.NumberInput(attrs={"step": "0.01"}))
    # the browser's date picker takes ISO dates whatever the page's language
    paid_on = forms.DateField(label=_("paid on"), widget=DateInput(format="%Y-%m-%d"))
    method = forms.ChoiceField(label=_("method"), choices=Payment.Method.choices)
    reference = forms.CharField(label=_("reference"), max_length=100, required=False)


def _text(label: StrOrPromise, *, rows: int = 2) -> forms.CharField:
    # not required here: the service refuses an empty reason or answer, naming the field
    return forms.CharField(label=label, required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": rows, "maxlength": 500}))


class AdjustmentForm(forms.Form):
    """A manual adjustment of a draft: which part, how much (negative reduces), why."""

    part = forms.ChoiceField(label=_("part"), choices=[
        ("service_fee", _("Service fee")), ("social_insurance", _("Social insurance")),
        ("housing_fund", _("Housing fund"))])
    amount = forms.DecimalField(label=_("amount"), max_digits=14, decimal_places=2,
                                widget=forms.NumberInput(attrs={"step": "0.01"}))
    description = forms.CharField(label=_("reason"), required=False, max_length=300)


class ReasonForm(forms.Form):
    """Why a draft is voided or a disputed bill corrected."""

    reason = _text(_("reason"))


class DisputeForm(forms.Form):
    reason = _text(_("reason for the dispute"), rows=3)


class AnswerForm(forms.Form):
    answer = _text(_("answer to the dispute"), rows=3)


class TaxNumbersForm(forms.Form):
    file = forms.FileField(label=_("file from the tax platform (.xlsx)"))
