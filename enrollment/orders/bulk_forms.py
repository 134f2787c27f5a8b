"""The work queue's bulk form (issue 16): the lines ticked, where they go, and the reason
a return needs. The rules of each move are the workflow's (`line_bulk_transition`)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from enrollment.models import TaskStatus
from enrollment.orders.workflow import BULK_MAX_LINES

BULK_TARGETS = (TaskStatus.SUBMITTED, TaskStatus.SUCCEEDED, TaskStatus.RETURNED)


class LineIdsField(forms.Field):
    """The ids of the ticked lines (checkboxes named `line`)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = [str(v).strip() for v in value]
        if len(values) > BULK_MAX_LINES or not all(
                v.isascii() and v.isdigit() and len(v) <= 12 for v in values):
            raise ValidationError(_("Select lines from the list."), code="invalid")
        return list(dict.fromkeys(int(v) for v in values))


class BulkTransitionForm(forms.Form):
    line = LineIdsField(label=_("Lines"), required=False)
    to = forms.ChoiceField(label=_("Move the selected lines to"),
                           choices=[(s, TaskStatus(s).label) for s in BULK_TARGETS])
    reason = forms.CharField(label=_("Reason (required to return)"), required=False,
                             max_length=500)
