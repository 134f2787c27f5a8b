from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from agency.roles import PORTAL_ROLES, STAFF_ROLES


class _FaceLoginForm(AuthenticationForm):
    allowed_roles: frozenset[str] = frozenset()

    def confirm_login_allowed(self, user) -> None:  # type: ignore[no-untyped-def]
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


LOGIN_HELP = _("Use the account the agency gave you.")
