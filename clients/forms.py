"""Forms of the staff pages: they parse input; the services decide."""

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from agency.forms import DateInput
from agency.models import User
from agency.roles import Role
from archive.models import CorrespondenceChannel
from clients.models import INCLUDED_SERVICES, Client


class ClientForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    uscc = forms.CharField(label=_("unified social credit code"), max_length=40)
    ownership_type = forms.ChoiceField(label=_("ownership type"),
                                       choices=Client.OwnershipType.choices)
    industry = forms.ChoiceField(label=_("industry (GB/T 4754)"), choices=Client.Industry.choices)
    office_address = forms.CharField(label=_("office address"), max_length=300, required=False)
    city = forms.CharField(label=_("city code"), max_length=6, required=False,
                           help_text=_("Six-digit GB/T 2260 code, e.g. 310000"))
    contact_name = forms.CharField(label=_("contact person"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=30, required=False)
    contact_email = forms.EmailField(label=_("contact e-mail"), required=False)
    work_injury_risk_class = forms.TypedChoiceField(
        label=_("work-injury industry risk class"), required=False, coerce=int,
        empty_value=None, choices=[("", "—"), *[(n, str(n)) for n in range(1, 9)]])
    licence_scan = forms.FileField(label=_("business licence scan"), required=False)


class CorrespondenceForm(forms.Form):
    """A call, e-mail, letter or meeting with the client, logged as correspondence."""

    channel = forms.ChoiceField(label=_("channel"), choices=CorrespondenceChannel.choices)
    incoming = forms.TypedChoiceField(
        label=_("direction"), coerce=lambda v: v == "in",
        choices=[("in", _("From the client")), ("out", _("To the client"))])
    occurred_on = forms.DateField(label=_("date"), widget=DateInput())
    subject = forms.CharField(label=_("subject"), max_length=120)
    summary = forms.CharField(label=_("summary"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    file = forms.FileField(label=_("file (e-mail, letter scan)"), required=False)


class AssignRepForm(forms.Form):
    service_rep = forms.ModelChoiceField(
        label=_("service representative"),
        queryset=User.objects.filter(role=Role.SERVICE_REP, is_active=True).order_by("username"),
    )


class PortalUserForm(forms.Form):
    username = forms.CharField(label=_("username"), max_length=150)
    display_name = forms.CharField(label=_("display name"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("role"), choices=[
        (Role.CLIENT_ADMIN.value, Role.CLIENT_ADMIN.label),
        (Role.CLIENT_VIEWER.value, Role.CLIENT_VIEWER.label),
    ])
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput, min_length=1)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)


class ContractForm(forms.Form):
    client = forms.ModelChoiceField(label=_("client"), queryset=Client.objects.order_by("name"))
    number = forms.CharField(label=_("contract number"), max_length=40, required=False,
                             help_text=_("Left empty, a number is generated."))
    starts_on = forms.DateField(label=_("starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("ends on"), widget=DateInput)
    housing_fund_rate = forms.DecimalField(label=_("housing fund rate"), max_digits=5,
                                           decimal_places=4, required=False)
    rights_and_obligations = forms.CharField(label=_("rights and obligations"),
                                             widget=forms.Textarea(attrs={"rows": 3}),
                                             required=False)
    service_content = forms.CharField(label=_("service content"),
                                      widget=forms.Textarea(attrs={"rows": 3}), required=False)
    fees_and_payment = forms.CharField(label=_("fees and payment"),
                                       widget=forms.Textarea(attrs={"rows": 3}), required=False)
    breach_liability = forms.CharField(label=_("liability for breach"),
                                       widget=forms.Textarea(attrs={"rows": 3}), required=False)
    signed_scan = forms.FileField(label=_("signed scan"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in INCLUDED_SERVICES.items():
            self.fields[name] = forms.BooleanField(label=label, required=False, initial=True)


class PriceForm(forms.Form):
    city = forms.CharField(label=_("city code"), max_length=6)
    price_per_head = forms.DecimalField(label=_("price per person per month"), max_digits=12,
                                        decimal_places=2)
    override_reason = forms.CharField(label=_("price override reason"), max_length=300,
                                      required=False)
    work_injury_rate = forms.DecimalField(
        label=_("work-injury rate"), required=False, max_digits=7, decimal_places=6,
        min_value=Decimal(0), max_value=Decimal(1),
        help_text=_("By the client's industry risk class; empty: the city's base rate."))


PriceFormSet = formset_factory(PriceForm, extra=3, min_num=1, validate_min=True)


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("termination reason"), max_length=300)
