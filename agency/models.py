"""The agency itself and what every app shares: users and roles, the audit log."""

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agency.roles import PORTAL_ROLES, STAFF_ROLES, Role

# A user made without a role has none: no staff right, no portal right (least privilege).
NO_ROLE = ""


class AgencyUserManager(UserManager["User"]):
    """`create_superuser` (and so `manage.py createsuperuser`) makes an administrator; every
    other way of making a user starts with no role."""

    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None,
        **extra_fields: Any,
    ) -> "User":
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in: agency staff (with a staff role) or a client's HR user
    (with a portal role, bound to exactly one client). A new user has no role until one is
    given (`NO_ROLE`); only a superuser starts as administrator."""

    Role = Role

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=NO_ROLE)
    client = models.ForeignKey(
        "clients.Client",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portal_users",
        help_text=_("Set for portal users only: the one client company they belong to."),
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    history = HistoricalRecords(excluded_fields=["last_login", "password"])

    objects: ClassVar[AgencyUserManager] = AgencyUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_portal_role_has_client",
                condition=(
                    models.Q(role__in=sorted(r.value for r in PORTAL_ROLES), client__isnull=False)
                    | models.Q(role__in=sorted(r.value for r in STAFF_ROLES), client__isnull=True)
                    | models.Q(role=NO_ROLE, client__isnull=True)
                ),
                violation_error_message=_(
                    "Portal users must belong to exactly one client; staff users to none."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_agency_staff(self) -> bool:
        return self.is_active and self.role in STAFF_ROLES

    @property
    def is_portal_user(self) -> bool:
        return self.is_active and self.role in PORTAL_ROLES and self.client_id is not None

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete a row of the audit log."""


APPEND_ONLY_MESSAGE = "审计日志只能追加 / The audit log is append-only"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """No bulk change or delete of audit rows (PostgreSQL refuses them too, by trigger)."""

    def update(self, **kwargs: Any) -> int:
        raise AuditLogIsAppendOnly(APPEND_ONLY_MESSAGE)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly(APPEND_ONLY_MESSAGE)

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AuditLogIsAppendOnly(APPEND_ONLY_MESSAGE)

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditLogIsAppendOnly(APPEND_ONLY_MESSAGE)


class AuditEvent(models.Model):
    """A security-relevant event (login, ID reveal, export, key issue…), written by the
    service that performs the action, in the same transaction.

    Append-only: a row is never changed or deleted — not by the model (`save()` of a
    saved row and `delete()` raise), not by the admin (read-only), and on PostgreSQL not
    by SQL either (a trigger refuses UPDATE and DELETE, migration agency 0008)."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logout")
        REVEAL = "reveal", _("Reveal personal data")
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        DOWNLOAD = "download", _("Download")
        BILL_ISSUED = "bill_issued", _("Bill issued")
        POLICY_CHANGED = "policy_changed", _("Policy changed")
        USER_CREATED = "user_created", _("User created")
        USER_ROLE_CHANGED = "user_role_changed", _("User role changed")
        USER_DEACTIVATED = "user_deactivated", _("User deactivated")
        USER_REACTIVATED = "user_reactivated", _("User reactivated")
        USER_CHANGED = "user_changed", _("User rights changed")
        USER_PASSWORD_SET = "user_password_set", _("User password set")
        USER_DELETED = "user_deleted", _("User deleted")
        API_KEY_ISSUED = "api_key_issued", _("API key issued")
        API_KEY_REVOKED = "api_key_revoked", _("API key revoked")
        ARCHIVE_BATCH_CLOSED = "archive.batch_close", _("Archive batch closed")
        ARCHIVE_DESTROYED = "archive.destroy", _("Archive item destroyed")
        OTHER = "other", _("Other")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("actor label"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    client_id_ref = models.BigIntegerField(_("client id"), null=True, blank=True, db_index=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly(APPEND_ONLY_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly(APPEND_ONLY_MESSAGE)


class Heartbeat(models.Model):
    """Last time a periodic process (beat) proved it was alive."""

    name = models.CharField(max_length=50, unique=True)
    last_seen = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"


def audit_detail(**kwargs: Any) -> dict[str, Any]:
    """Keep only JSON-friendly, non-empty values in an audit detail."""
    return {k: v for k, v in kwargs.items() if v not in (None, "")}


class Licence(models.Model):
    """The agency's own licence (资质): 人力资源服务许可证 or 劳务派遣许可证 (STD-3.1)."""

    class Kind(models.TextChoices):
        HR_SERVICE = "hr_service", _("HR service licence")
        LABOUR_DISPATCH = "labour_dispatch", _("Labour dispatch licence")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("licence number"), max_length=100, unique=True)
    authority = models.CharField(_("issuing authority"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    scan = models.FileField(_("scan"), upload_to="licences/%Y/", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["valid_to", "kind"]
        constraints = [
            models.CheckConstraint(
                name="licence_valid_to_after_from",
                condition=models.Q(valid_to__gte=models.F("valid_from")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class StaffProfile(models.Model):
    """A staff member's qualifications (STD-3.2.1–3.2.3): education, HR experience and the
    HR practitioner certificate (人力资源从业资格证)."""

    class Education(models.TextChoices):
        BELOW_COLLEGE = "below_college", _("Below college (高中/中专 or lower)")
        COLLEGE = "college", _("College (大专)")
        BACHELOR = "bachelor", _("Bachelor")
        MASTER = "master", _("Master")
        DOCTORATE = "doctorate", _("Doctorate")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="staff_profile",
    )
    education = models.CharField(
        _("education"), max_length=20, choices=Education.choices, default=Education.BELOW_COLLEGE
    )
    hr_experience_since = models.DateField(_("HR experience since"), null=True, blank=True)
    certificate_number = models.CharField(
        _("practitioner certificate number"), max_length=100, blank=True
    )
    certificate_valid_until = models.DateField(
        _("certificate valid until"), null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return str(self.user)


class Notification(models.Model):
    """An in-app notification for one user (e.g. a contract expiry reminder)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message = models.CharField(_("message"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.message


class WorkdayOverride(models.Model):
    """A day whose working status staff have set: a holiday (法定节假日/休息日) or a
    make-up working day (调休上班日). It wins over the `chinesecalendar` package and the
    Monday–Friday rule (`agency.workdays`): staff enter the State Council's notice for a
    year the package does not cover yet, or correct a single day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday or rest day")
        WORKDAY = "workday", _("Make-up working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    @property
    def is_working_day(self) -> bool:
        return self.kind == self.Kind.WORKDAY


class IdempotencyRecord(models.Model):
    """The first successful response to a request sent with an `Idempotency-Key`.

    Written in the same transaction as the work it answers, so a concurrent request with
    the same key waits on the unique index until the first commits, then reads this."""

    scope = models.CharField(_("scope"), max_length=100)
    key = models.CharField(_("key"), max_length=200)
    request_hash = models.CharField(_("request hash"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"))
    response_body = models.JSONField(_("response body"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
