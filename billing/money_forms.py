"""Forms of the money pages (statements, receipts, ledgers, refunds): they parse input; the
services decide (a row of the statement that cannot be read, a split above the receipt,
a refund above the credit, an undo without a reason are the services' errors)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import Bill

WAITING = "waiting"


class StatementUploadForm(forms.Form):
    file = forms.FileField(label=_("bank statement (.xlsx or .csv)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))


class ReceiptFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False, choices=[
        (WAITING, _("Waiting (unmatched and proposed)")), ("unmatched", _("Unmatched")),
        ("proposed", _("Match proposed")), ("matched", _("Matched")), ("all", _("All"))])
    q = forms.CharField(label=_("search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={
                            "type": "search", "placeholder": _("Payer, reference or client")}))


def _amount(label: Any, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, max_digits=14,
                              decimal_places=2,
                              widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}))


class SplitForm(forms.Form):
    """A receipt confirmed for a client: an amount per open bill of that client (empty
    or 0: nothing on that bill); the rest of the receipt stays as the client's credit."""

    client = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, bills: list[Bill], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bills = bills
        for bill in bills:
            self.fields[f"bill_{bill.pk}"] = _amount(bill.number, required=False)

    def rows(self) -> list[tuple[Bill, forms.BoundField]]:
        """Each open bill with its amount field (the page's table)."""
        return [(bill, self[f"bill_{bill.pk}"]) for bill in self.bills]

    def parts(self) -> list[tuple[Bill, Decimal]]:
        return [(bill, self.cleaned_data[f"bill_{bill.pk}"]) for bill in self.bills
                if self.cleaned_data.get(f"bill_{bill.pk}")]


class ReasonForm(forms.Form):
    # not required here: the service refuses an empty reason, naming the field
    reason = forms.CharField(label=_("reason"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}))


class RefundRequestForm(forms.Form):
    amount = _amount(_("amount"))
    reason = forms.CharField(label=_("reason"), required=False, max_length=300)


class CreditApplyForm(forms.Form):
    bill = forms.TypedChoiceField(label=_("bill"), coerce=int)
    amount = _amount(_("amount"))

    def __init__(self, *args: Any, bills: list[Bill], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bills = {b.pk: b for b in bills}
        field = self.fields["bill"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [(b.pk, f"{b.number} · {b.month:%Y-%m} · {b.outstanding:.2f}")
                         for b in bills]

    def chosen_bill(self) -> Bill:
        return self.bills[self.cleaned_data["bill"]]
