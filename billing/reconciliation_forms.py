"""Forms of the reconciliation pages: they parse; `billing.reconciliation_services`
decides (an unreadable file, a bad row, a missing note are its errors)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agency.forms import MonthField
from billing.models import DifferenceKind, DifferenceStatus, ReconciliationRun
from policies.models import City


class UploadForm(forms.Form):
    """The bureau's monthly charge detail of a city, month and scheme."""

    city = forms.ModelChoiceField(label=_("city"), queryset=City.objects.order_by("code"))
    month = MonthField(label=_("month charged"))
    scheme = forms.ChoiceField(label=_("scheme"), choices=ReconciliationRun.Scheme.choices)
    file = forms.FileField(label=_("the bureau's charge detail (.xlsx or .csv)"))


class DifferenceFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False, choices=[
        ("", _("All statuses")), *DifferenceStatus.choices])
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=[
        ("", _("All kinds")), *DifferenceKind.choices])


class BureauErrorForm(forms.Form):
    # not required here: the service refuses an empty note, naming the field
    note = forms.CharField(label=_("what the bureau got wrong"), required=False,
                           max_length=1000)


class KindForm(forms.Form):
    kind = forms.ChoiceField(choices=DifferenceKind.choices)
