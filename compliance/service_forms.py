"""Forms of the service desk pages: they only parse (the services decide)."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from agency.forms import DateInput
from agency.models import User
from agency.viewer import Viewer
from clients.models import Client
from compliance.models import AboutType, Channel
from compliance.service_desk import SUBJECT_MAX, action_owners, desk_clients

# what staff enter by hand: what reached them by phone, e-mail or in person
STAFF_CHANNELS = [(c.value, c.label) for c in (Channel.PHONE, Channel.EMAIL, Channel.VISIT)]
SCORES = [(n, str(n)) for n in range(5, 0, -1)]


class OpenForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    body = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 6}))


class PortalInquiryForm(OpenForm):
    """A question; a follow-up one carries what it is about (from the order line page's
    link: `?about_type=order_line&about_id=N`)."""

    about_type = forms.ChoiceField(required=False, widget=forms.HiddenInput,
                                   choices=[("", ""), *AboutType.choices])
    about_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class StaffEntryForm(OpenForm):
    """An inquiry or complaint that reached staff by phone, e-mail or in person."""

    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none())
    channel = forms.ChoiceField(label=_("Channel"), choices=STAFF_CHANNELS)
    field_order = ["client", "channel", "subject", "body"]

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["client"])
        field.queryset = desk_clients(viewer=viewer)


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}))


class FeedbackForm(forms.Form):
    score = forms.TypedChoiceField(label=_("Satisfaction"), choices=SCORES, coerce=int,
                                   widget=forms.RadioSelect,
                                   help_text=_("5 is very satisfied, 1 very dissatisfied."))
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class FindingsForm(forms.Form):
    findings = forms.CharField(label=_("Investigation findings"),
                               widget=forms.Textarea(attrs={"rows": 4}))


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Corrective action"),
                                  widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("Complete by"), widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["owner"])
        field.queryset = action_owners()
