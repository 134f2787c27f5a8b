"""Roles of the portal's users. Staff roles work for the agency; portal roles belong to
exactly one client company."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    SERVICE_REP = "service_rep", _("Service representative")
    FINANCE = "finance", _("Finance")
    ARCHIVIST = "archivist", _("Archivist")
    CLIENT_ADMIN = "client_admin", _("Client administrator")
    CLIENT_VIEWER = "client_viewer", _("Client viewer")


class CallerKind(models.TextChoices):
    """Who calls when no user's role applies: a client's API key, or nobody logged in."""

    API_KEY = "api_key", _("API key")
    ANONYMOUS = "anonymous", _("Anonymous")


STAFF_ROLES = frozenset(
    {Role.ADMIN, Role.MANAGER, Role.SERVICE_REP, Role.FINANCE, Role.ARCHIVIST}
)
PORTAL_ROLES = frozenset({Role.CLIENT_ADMIN, Role.CLIENT_VIEWER})

# who may see a full ID number, and so download the files that hold them (STD-6.1)
REVEAL_ROLES = (Role.ADMIN, Role.MANAGER, Role.SERVICE_REP)

# who must confirm each staff login with a TOTP code (django-otp): the roles that reveal ID
# numbers, which include the ones that manage users (admin, manager)
OTP_ROLES = frozenset(REVEAL_ROLES)
