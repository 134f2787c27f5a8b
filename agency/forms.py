import datetime
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from agency.errors import DomainError, ErrorDetail
from agency.models import Licence, StaffProfile, User
from agency.months import month_or_none
from agency.roles import PORTAL_ROLES, STAFF_ROLES


class _FaceLoginForm(AuthenticationForm):
    allowed_roles: frozenset[str] = frozenset()

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if user.role not in self.allowed_roles:
            # same message as a wrong password: do not tell which face the account is for
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class StaffLoginForm(_FaceLoginForm):
    allowed_roles = STAFF_ROLES


class PortalLoginForm(_FaceLoginForm):
    allowed_roles = PORTAL_ROLES


class TwoFactorForm(forms.Form):
    """The six-digit code of the user's authenticator app (TOTP)."""

    otp = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Enter the six digits your app shows.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "maxlength": 6, "autofocus": True}),
    )


LOGIN_HELP = _("Use the account the agency gave you.")


def add_domain_errors(form: forms.Form, exc: DomainError) -> None:
    """Show a service's DomainError next to the form fields it names (else on top)."""
    details = exc.details or [ErrorDetail(exc.code, str(exc.message))]
    for detail in details:
        field = detail.field if detail.field in form.fields else None
        form.add_error(field, str(detail.message))


class MonthField(forms.Field):
    """A month typed as `YYYY-MM`; cleaned to the month's first day (`agency.months`)."""

    default_error_messages = {"invalid": _("Use the form YYYY-MM.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "2026-12",
                                                          "maxlength": 7}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        month = month_or_none(value)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month

    def prepare_value(self, value: Any) -> Any:
        return f"{value:%Y-%m}" if isinstance(value, datetime.date) else value


class DateInput(forms.DateInput):
    input_type = "date"


class LicenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Licence.Kind.choices)
    number = forms.CharField(label=_("licence number"), max_length=100)
    authority = forms.CharField(label=_("issuing authority"), max_length=200)
    valid_from = forms.DateField(label=_("valid from"), widget=DateInput)
    valid_to = forms.DateField(label=_("valid to"), widget=DateInput)
    scan = forms.FileField(label=_("scan"), required=False)


class StaffProfileForm(forms.Form):
    education = forms.ChoiceField(label=_("education"), choices=StaffProfile.Education.choices)
    hr_experience_since = forms.DateField(label=_("HR experience since"), required=False,
                                          widget=DateInput)
    certificate_number = forms.CharField(label=_("practitioner certificate number"),
                                         max_length=100, required=False)
    certificate_valid_until = forms.DateField(label=_("certificate valid until"),
                                              required=False, widget=DateInput)
