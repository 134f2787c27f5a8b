"""Forms of the people pages (revisits, training, assessments): they only parse; the
rules are the services' (`compliance.people`)."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from agency.forms import DateInput, MonthField
from agency.models import User
from clients.models import SizeTier
from compliance.models import Assessment, TrainingSession
from compliance.people import ASSESSED_ROLES, active_staff


class RevisitFilterForm(forms.Form):
    q = forms.CharField(label=_("Client name"), required=False, max_length=100)
    tier = forms.ChoiceField(label=_("Size tier"), required=False,
                             choices=[("", _("All size tiers")), *SizeTier.choices])
    rep = forms.TypedChoiceField(label=_("Representative"), required=False, coerce=int,
                                 empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, reps: list[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["rep"])
        field.choices = [("", _("All representatives")),
                         *((u.pk, str(u)) for u in reps or [])]


class RevisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput)
    visited_by = forms.ModelChoiceField(label=_("Visited by"), queryset=User.objects.none())
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(
        attrs={"rows": 4}))
    client_feedback = forms.CharField(label=_("The client's feedback"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["visited_by"]).queryset = active_staff()


class TrainingFilterForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), required=False,
                              choices=[("", _("All topics")), *TrainingSession.Topic.choices])


class TrainingForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput)
    topic = forms.ChoiceField(label=_("Topic"), choices=TrainingSession.Topic.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    trainer = forms.CharField(label=_("Trainer"), max_length=100)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"), queryset=User.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["attendees"]).queryset = active_staff()


class AssessmentMonthForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)


class AssessmentForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.none())
    month = MonthField(label=_("Month"))
    score = forms.IntegerField(label=_("Score (0–100)"))
    outcome = forms.ChoiceField(label=_("Reward or penalty"),
                                choices=Assessment.Outcome.choices,
                                initial=Assessment.Outcome.NONE)
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["staff"]).queryset = active_staff().filter(
            role__in=ASSESSED_ROLES)
