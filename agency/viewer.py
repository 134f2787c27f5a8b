"""Who is asking: the one object every selector takes to scope what a caller may see.

A staff user sees what the role allows; a portal user and a client's API key see only
their own client's data (another client's object answers 404)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

from agency.roles import PORTAL_ROLES, STAFF_ROLES, CallerKind

M = TypeVar("M", bound="Model")


@dataclass(frozen=True)
class ApiKeyPrincipal:
    """The `request.user` of a call authenticated by a client's API key."""

    client_id: int
    api_key_id: int
    name: str = ""
    role: str = CallerKind.API_KEY
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False
    is_staff: bool = False
    is_superuser: bool = False
    pk: None = None
    id: None = None

    def get_username(self) -> str:
        return f"api-key:{self.api_key_id}"

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False


@dataclass(frozen=True)
class Viewer:
    role: str
    client_id: int | None
    user_id: int | None = None
    api_key_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_client(self) -> bool:
        """A portal user or an API key: everything is scoped to `client_id`."""
        return self.client_id is not None and not self.is_staff

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @classmethod
    def of(cls, user: Any) -> "Viewer":
        """Build the viewer from `request.user` (a User or an ApiKeyPrincipal)."""
        if isinstance(user, ApiKeyPrincipal):
            return cls(role=CallerKind.API_KEY, client_id=user.client_id,
                       api_key_id=user.api_key_id)
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls(role=CallerKind.ANONYMOUS, client_id=None)
        if user.role in PORTAL_ROLES:
            if user.client_id is None:  # guarded by a DB constraint; refuse to widen scope
                return cls(role=CallerKind.ANONYMOUS, client_id=None)
            return cls(role=user.role, client_id=user.client_id, user_id=user.pk)
        return cls(role=user.role, client_id=None, user_id=user.pk)


# Services acting for the agency itself (a Celery task, a bulk import): sees everything.
SYSTEM_VIEWER = Viewer(role="admin", client_id=None)


def scope_to_viewer(
    qs: "QuerySet[M]", viewer: Viewer, client_field: str = "client_id"
) -> "QuerySet[M]":
    """The one rule of tenant isolation: staff see `qs`; a portal user or API key only the
    rows whose `client_field` is its client; anyone else nothing."""
    if viewer.is_staff:
        return qs
    if viewer.is_client and viewer.client_id is not None:
        return qs.filter(**{client_field: viewer.client_id})
    return qs.none()
