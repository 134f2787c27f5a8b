"""Forms of the enrollment pages: parse input only; the rules live in the services."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agency.forms import MonthField
from policies.models import City, PolicyItem
from policies.services import ITEM_FIELDS


def rate_field(label: Any, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, max_digits=7, decimal_places=6,
        min_value=Decimal(0), max_value=Decimal(1),
    )


class QuoteForm(forms.Form):
    city = forms.ModelChoiceField(
        label=_("City"), queryset=City.objects.order_by("code"), to_field_name="code"
    )
    month = MonthField(label=_("Month"),
                       widget=forms.TextInput(attrs={"placeholder": "2025-08"}))
    base = forms.DecimalField(
        label=_("Declared base"), max_digits=12, decimal_places=2, min_value=Decimal(0)
    )
    housing_fund_base = forms.DecimalField(
        label=_("Housing fund base"), required=False, max_digits=12, decimal_places=2,
        min_value=Decimal(0),
    )
    housing_fund_rate = rate_field(_("Housing fund rate"), required=False)
    work_injury_rate = rate_field(_("Work injury rate"), required=False)


class PolicyVersionForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"),
                                     widget=forms.DateInput(attrs={"type": "date"}))
    effective_to = forms.DateField(label=_("Effective to"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    notice = forms.CharField(label=_("Notice"), max_length=300, required=False)
    provisional = forms.BooleanField(label=_("Provisional"), required=False)


class PolicyItemForm(forms.Form):
    """An item's figures (fields as the model declares them; the service checks them)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(
            PolicyItem, fields=ITEM_FIELDS, widgets={"note": forms.Textarea(attrs={"rows": 3})}
        ))
