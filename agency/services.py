"""Writes of the agency app: audit rows, heartbeats, licences, staff profiles,
notifications."""

import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone

from agency.errors import ErrorDetail, ValidationFailed
from agency.files import scan_problem
from agency.http import client_ip
from agency.logging import current_request_id
from agency.models import AuditEvent, Heartbeat, Licence, Notification, StaffProfile, User
from agency.roles import STAFF_ROLES


def _client_ip(request: HttpRequest | None) -> str | None:
    # the same address DRF and axes see: only TRUSTED_PROXY_COUNT proxies are believed
    return None if request is None else client_ip(request)


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    client_id: int | None = None,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Write one audit row. Call it inside the transaction of the action it records.
    `actor_label` names a caller that is no user (an API key); the row also keeps the
    id of the request being served (the one in the logs and the X-Request-ID header)."""
    label = actor_label
    if actor is not None and not label:
        label = actor.get_username()
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=label,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        client_id_ref=client_id,
        detail=detail or {},
        ip_address=_client_ip(request),
        request_id=current_request_id(),
    )


def heartbeat_touch(*, name: str) -> Heartbeat:
    beat, _created = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_seen": timezone.now()}
    )
    return beat


@transaction.atomic
def licence_save(
    *,
    licence: Licence | None = None,
    kind: str,
    number: str,
    authority: str,
    valid_from: datetime.date,
    valid_to: datetime.date,
    scan: UploadedFile | None = None,
    actor: User,
) -> Licence:
    """Create (licence=None) or update one of the agency's licences (STD-3.1)."""
    number = number.strip()
    errors = []
    if valid_to < valid_from:
        errors.append(ErrorDetail("invalid", "有效期止早于起始日 / Valid to is before valid from",
                                  field="valid_to"))
    clash = Licence.objects.filter(number=number)
    if licence is not None:
        clash = clash.exclude(pk=licence.pk)
    if clash.exists():
        errors.append(ErrorDetail("duplicate", "许可证编号已存在 / Licence number already exists",
                                  field="number"))
    if scan is not None and (problem := scan_problem(scan, field="scan")) is not None:
        errors.append(problem)  # PDF/JPEG/PNG by content, at most SCAN_MAX_BYTES
    if errors:
        raise ValidationFailed(errors)
    licence = licence or Licence()
    licence.kind = kind
    licence.number = number
    licence.authority = authority
    licence.valid_from = valid_from
    licence.valid_to = valid_to
    if scan is not None:
        licence.scan = scan
    licence.save()
    return licence


@transaction.atomic
def staff_profile_save(
    *,
    user: User,
    education: str,
    hr_experience_since: datetime.date | None,
    certificate_number: str,
    certificate_valid_until: datetime.date | None,
    actor: User,
) -> StaffProfile:
    """Record a staff member's qualifications (STD-3.2.1–3.2.3)."""
    if user.role not in STAFF_ROLES:
        raise ValidationFailed([ErrorDetail(
            "not_staff", "只有员工才有员工档案 / Only staff members have a staff profile",
            field="user")])
    profile, _created = StaffProfile.objects.update_or_create(
        user=user,
        defaults={
            "education": education,
            "hr_experience_since": hr_experience_since,
            "certificate_number": certificate_number.strip(),
            "certificate_valid_until": certificate_valid_until,
        },
    )
    return profile


def notification_create(*, user: User, message: str, link: str = "") -> Notification:
    return Notification.objects.create(user=user, message=message[:500], link=link)


def notification_open(*, user: User, pk: int) -> Notification:
    """The user opens one of their notifications: it is read (another user's is 404)."""
    notification = Notification.objects.filter(user=user, pk=pk).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
