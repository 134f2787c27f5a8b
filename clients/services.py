"""Writes of the clients app: clients, representatives, portal users, API keys,
contracts and their reminders."""

import datetime
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from agency.errors import Conflict, DomainError, ErrorDetail, ValidationFailed
from agency.files import scan_check
from agency.history import record_actor
from agency.models import AuditEvent, User
from agency.qualifications import unqualified_reasons
from agency.roles import PORTAL_ROLES, Role
from agency.services import audit_record
from archive.models import ArchiveItem, CorrespondenceChannel, ItemKind
from archive.services import archive_receive_file, archive_store
from archive.storage import Stored
from clients.headcount import headcounts
from clients.models import ApiKey, Client, Contract, ContractPrice
from clients.validators import uscc_normalise, uscc_problem
from policies.calculator import HOUSING_FUND, WORK_INJURY, ItemRule
from policies.models import City
from policies.selectors import policy_rules_between

MAX_PERSONS_PER_REP = 500  # STD-3.2.4
PRICE_MIN = Decimal("50.00")  # STD-4.1, CNY per person per month
PRICE_MAX = Decimal("120.00")
API_KEY_PREFIX = "ck_"


def _city_by_code(code: str, *, field: str, line: int | None = None) -> City:
    city = City.objects.filter(code=str(code).strip()).first()
    if city is None:
        raise ValidationFailed([ErrorDetail("unknown_city", "未知城市代码 / Unknown city code",
                                            field=field, line=line)])
    return city


# --- clients ------------------------------------------------------------------------


def _client_fields_check(*, client: Client | None, uscc: str) -> str:
    uscc = uscc_normalise(uscc)
    problem = uscc_problem(uscc)
    if problem is not None:
        raise ValidationFailed([ErrorDetail(problem[0], problem[1], field="uscc")])
    clash = Client.objects.filter(uscc=uscc)
    if client is not None:
        clash = clash.exclude(pk=client.pk)
    if clash.exists():
        raise ValidationFailed([ErrorDetail(
            "duplicate", "该统一社会信用代码已登记 / A client with this USCC exists",
            field="uscc")])
    return uscc


@transaction.atomic
def client_save(
    *,
    client: Client | None = None,
    name: str,
    uscc: str,
    ownership_type: str,
    industry: str,
    office_address: str = "",
    city_code: str | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    work_injury_risk_class: int | None = None,
    licence_scan: UploadedFile | None = None,
    actor: User,
) -> Client:
    """Create (client=None) or update a client record (STD-3.4.1). A changed USCC or
    licence scan drops an earlier licence verification."""
    uscc = _client_fields_check(client=client, uscc=uscc)
    city = _city_by_code(city_code, field="city") if city_code else None
    client = client or Client()
    if client.pk and (client.uscc != uscc or licence_scan is not None):
        client.licence_verified_at = None
        client.licence_verified_by = None
    client.name = name.strip()
    client.uscc = uscc
    client.ownership_type = ownership_type
    client.industry = industry
    client.office_address = office_address
    client.city = city
    client.contact_name = contact_name
    client.contact_phone = contact_phone
    client.contact_email = contact_email
    client.work_injury_risk_class = work_injury_risk_class
    stored = _receive(licence_scan, field="licence_scan")
    if stored is not None:
        client.licence_scan.name = stored.name
    record_actor(client, actor)
    client.save()
    if stored is not None:  # STD-3.4.3: the licence scan is one of the client's papers
        archive_store(stored=stored, kind=ItemKind.CLIENT_PAPERS, client_id=client.pk,
                      month=timezone.localdate(), actor=actor, subject=client,
                      title=f"营业执照扫描件 · {client.name}"[:200])
    return client


def _receive(upload: UploadedFile | None, *, field: str) -> Stored | None:
    """Write an uploaded scan through the archive's one door (STD-5.1): only a PDF, JPEG or
    PNG by its content, at most SCAN_MAX_BYTES, else a field error and nothing written."""
    if upload is None:
        return None
    scan_check(upload, field=field)
    return archive_receive_file(content=upload, original_name=upload.name or "scan",
                                month=timezone.localdate())


@transaction.atomic
def client_verify_licence(*, client: Client, actor: User) -> Client:
    """Record that staff checked the client's business licence (STD-4.1.1) against its
    scan: no scan on file, nothing to have checked."""
    if not client.licence_scan:
        raise ValidationFailed([ErrorDetail(
            "scan_missing", "请先上传营业执照扫描件再核验 / Upload the business licence scan "
            "before marking it verified", field="licence_scan")])
    problem = uscc_problem(client.uscc)
    if problem is not None:
        raise ValidationFailed([ErrorDetail(problem[0], problem[1], field="uscc")])
    client.licence_verified_at = timezone.now()
    client.licence_verified_by = actor
    record_actor(client, actor)
    client.save(update_fields=["licence_verified_at", "licence_verified_by"])
    audit_record(actor=actor, action=AuditEvent.Action.OTHER, target=client, client_id=client.pk,
                 detail={"event": "licence_verified", "uscc": client.uscc})
    return client


@transaction.atomic
def client_set_active(*, client: Client, active: bool, actor: User) -> Client:
    """Activate or deactivate the client. A deactivated client stops: its portal users
    cannot log in, its API keys and tokens answer 401, its webhooks are not sent."""
    if client.is_active != active:
        client.is_active = active
        record_actor(client, actor)
        client.save(update_fields=["is_active"])
        audit_record(actor=actor, action=AuditEvent.Action.OTHER, target=client,
                     client_id=client.pk,
                     detail={"event": "client_activated" if active else "client_deactivated"})
    return client


@transaction.atomic
def client_assign_rep(*, client: Client, rep: User, actor: User) -> Client:
    """Make `rep` the client's service representative: a qualified service_rep whose load
    stays within 500 active insured persons (STD-3.2.1–3.2.4)."""
    if rep.role != Role.SERVICE_REP or not rep.is_active:
        raise ValidationFailed([ErrorDetail(
            "not_service_rep", "所选员工不是客服专员 / The staff member is not a service "
            "representative", field="service_rep")])
    reasons = unqualified_reasons(getattr(rep, "staff_profile", None),
                                  today=timezone.localdate())
    if reasons:
        raise DomainError(
            code="rep_unqualified",
            message="该员工不符合客服专员任职条件 / The staff member does not qualify: "
            + "; ".join(reasons),
            details=[ErrorDetail("rep_unqualified", r, field="service_rep") for r in reasons],
        )
    User.objects.select_for_update().filter(pk=rep.pk).first()  # serialise assignments per rep
    served = Client.objects.filter(Q(service_rep=rep) | Q(pk=client.pk)).values_list("pk",
                                                                                     flat=True)
    load = headcounts().of_clients(served)
    if load > MAX_PERSONS_PER_REP:
        message = (
            f"分配后该客服专员将服务 {load} 名参保人员，超过上限 {MAX_PERSONS_PER_REP} 人 / "
            f"The representative would serve {load} insured persons, more than "
            f"{MAX_PERSONS_PER_REP}"
        )
        raise DomainError(code="rep_overloaded", message=message,
                          details=[ErrorDetail("rep_overloaded", message, field="service_rep")])
    client.service_rep = rep
    record_actor(client, actor)
    client.save(update_fields=["service_rep"])
    audit_record(actor=actor, action=AuditEvent.Action.OTHER, target=client, client_id=client.pk,
                 detail={"event": "service_rep_assigned", "rep": rep.get_username(),
                         "load": load})
    return client


def _password_problems(password: str, user: User) -> list[ErrorDetail]:
    """What Django's `AUTH_PASSWORD_VALIDATORS` find wrong with `password`, each problem in
    Chinese and English, on the field `password`."""
    found: dict[str, list[tuple[str, str]]] = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            try:
                validate_password(password, user)
            except DjangoValidationError as refused:
                found[language] = [(error.code or "invalid", " ".join(error.messages))
                                   for error in refused.error_list]
            else:
                return []
    return [
        ErrorDetail(code, f"{chinese} / {english}", field="password")
        for (code, chinese), (_, english) in zip(found["zh-hans"], found["en"], strict=True)
    ]


@transaction.atomic
def portal_user_create(
    *, client: Client, username: str, display_name: str, role: str, password: str, actor: User
) -> User:
    """A login to the client portal, bound to `client`."""
    errors = []
    if role not in PORTAL_ROLES:
        errors.append(ErrorDetail("invalid_choice", "无效的角色 / Invalid role", field="role"))
    if User.objects.filter(username=username).exists():
        errors.append(ErrorDetail("duplicate", "用户名已存在 / Username is taken",
                                  field="username"))
    user = User(username=username, display_name=display_name, role=role, client=client)
    if len(password) < 10:
        errors.append(ErrorDetail("too_short", "密码至少10位 / Password needs 10 characters",
                                  field="password"))
    else:
        errors.extend(_password_problems(password, user))
    if errors:
        raise ValidationFailed(errors)
    user.set_password(password)
    user.save()
    audit_record(actor=actor, action=AuditEvent.Action.USER_CREATED, target=user,
                 client_id=client.pk, detail={"event": "portal_user_created", "role": role})
    return user


# --- API keys -------------------------------------------------------------------------


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_key_issue(*, client: Client, name: str, actor: User) -> tuple[ApiKey, str]:
    """A new API key for `client`. The key itself is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationFailed([ErrorDetail("required", "请填写名称 / Name is required",
                                            field="name")])
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(client=client, name=name, prefix=key[:10],
                                    key_hash=api_key_hash(key), created_by=actor)
    audit_record(actor=actor, action=AuditEvent.Action.API_KEY_ISSUED, target=api_key,
                 client_id=client.pk, detail={"name": name, "prefix": api_key.prefix})
    return api_key, key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: User) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditEvent.Action.API_KEY_REVOKED, target=api_key,
                     client_id=api_key.client_id, detail={"prefix": api_key.prefix})
    return api_key


def api_key_authenticate(*, key: str) -> ApiKey | None:
    """The active key matching `key`, its last-used time refreshed (at most once a minute)."""
    if not key.startswith(API_KEY_PREFIX):
        return None
    api_key = (ApiKey.objects.select_related("client")  # its is_active is checked next
               .filter(key_hash=api_key_hash(key), revoked_at__isnull=True).first())
    if api_key is None:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > datetime.timedelta(minutes=1):
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


# --- contracts ------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceInput:
    city_code: str
    price_per_head: Decimal
    override_reason: str = ""
    work_injury_rate: Decimal | None = None


def _plain(rate: Decimal) -> str:
    return f"{rate.normalize():f}"


def _rate_error(*, city: City, item: ItemRule, field: str, line: int | None) -> ErrorDetail:
    low = _plain(item.rate_min if item.rate_min is not None else item.employer_rate)
    high = _plain(item.rate_max if item.rate_max is not None else item.employer_rate)
    kind = "住房公积金缴存比例" if item.kind == HOUSING_FUND else "工伤保险费率"
    kind_en = "housing fund rate" if item.kind == HOUSING_FUND else "work-injury rate"
    return ErrorDetail(
        "rate_out_of_range",
        f"{city.name}的{kind}须在 {low} 至 {high} 之间 / The {kind_en} of {city.code} must "
        f"lie between {low} and {high}",
        field=field, line=line,
    )


def _chosen_rate_errors(
    *, cities: list[City], prices: list[PriceInput], starts_on: datetime.date,
    ends_on: datetime.date, housing_fund_rate: Decimal | None,
) -> list[ErrorDetail]:
    """The housing-fund rate and each city's work-injury rate against the policy of every
    city the contract prices, in every version in force during its term. A city whose
    policy fixes a rate accepts any: its own rate applies there (the enrolment takes it)."""
    errors: list[ErrorDetail] = []
    for index, (city, price) in enumerate(zip(cities, prices, strict=True), start=1):
        fund_seen = injury_seen = False
        for policy in policy_rules_between(city=city, first=starts_on, last=ends_on):
            fund, injury = policy.item(HOUSING_FUND), policy.item(WORK_INJURY)
            if (not fund_seen and housing_fund_rate is not None and fund is not None
                    and fund.rate_problem(housing_fund_rate)):
                errors.append(_rate_error(city=city, item=fund, field="housing_fund_rate",
                                          line=None))
                fund_seen = True
            if (not injury_seen and price.work_injury_rate is not None and injury is not None
                    and injury.rate_problem(price.work_injury_rate)):
                errors.append(_rate_error(city=city, item=injury, field="work_injury_rate",
                                          line=index))
                injury_seen = True
    return errors


def _check_prices(prices: list[PriceInput]) -> list[ErrorDetail]:
    errors = []
    seen = set()
    for index, price in enumerate(prices, start=1):
        if price.city_code in seen:
            errors.append(ErrorDetail("duplicate_city", "同一城市重复定价 / City priced twice",
                                      field="city", line=index))
        seen.add(price.city_code)
        if price.price_per_head <= 0:
            errors.append(ErrorDetail("invalid", "价格必须大于0 / Price must be positive",
                                      field="price_per_head", line=index))
        elif not (PRICE_MIN <= price.price_per_head <= PRICE_MAX) and not (
            price.override_reason.strip()
        ):
            errors.append(ErrorDetail(
                "price_out_of_range",
                f"服务费 {price.price_per_head} 超出每人每月 50–120 元，须填写原因 / Price "
                f"{price.price_per_head} is outside 50–120 CNY per person per month: give "
                "price_override_reason",
                field="price_override_reason", line=index))
    return errors


def _contract_terms_errors(
    *, starts_on: datetime.date, ends_on: datetime.date, prices: list[PriceInput],
    housing_fund_rate: Decimal | None, number: str,
) -> list[ErrorDetail]:
    errors: list[ErrorDetail] = []
    if ends_on < starts_on:
        errors.append(ErrorDetail("invalid", "结束日期早于开始日期 / Ends before it starts",
                                  field="ends_on"))
    if not prices:
        errors.append(ErrorDetail("required", "至少需要一个城市的价格 / At least one city price",
                                  field="prices"))
    if housing_fund_rate is not None and not (Decimal("0.05") <= housing_fund_rate
                                              <= Decimal("0.12")):
        errors.append(ErrorDetail("out_of_range",
                                  "公积金比例应在5%–12%之间 / Housing fund rate must be 0.05–0.12",
                                  field="housing_fund_rate"))
    if Contract.objects.filter(number=number).exists():
        errors.append(ErrorDetail("duplicate", "合同编号已存在 / Contract number exists",
                                  field="number"))
    return errors


def contract_number_new(*, starts_on: datetime.date) -> str:
    return f"HT{starts_on:%Y%m}-{uuid.uuid4().hex[:6].upper()}"


@transaction.atomic
def contract_create(
    *,
    client: Client,
    starts_on: datetime.date,
    ends_on: datetime.date,
    prices: list[PriceInput],
    housing_fund_rate: Decimal | None = None,
    number: str = "",
    sections: dict[str, str] | None = None,
    services: dict[str, bool] | None = None,
    signed_scan: UploadedFile | None = None,
    actor: User | None,
) -> Contract:
    """A draft service contract with its per-city prices (STD-4.1, STD-4.2)."""
    number = number.strip() or contract_number_new(starts_on=starts_on)
    errors = _contract_terms_errors(starts_on=starts_on, ends_on=ends_on, prices=prices,
                                    housing_fund_rate=housing_fund_rate, number=number)
    errors += _check_prices(prices)
    cities = []
    for index, price in enumerate(prices, start=1):
        try:
            cities.append(_city_by_code(price.city_code, field="city", line=index))
        except ValidationFailed as exc:
            errors += exc.details
    if not errors:
        errors += _chosen_rate_errors(cities=cities, prices=prices, starts_on=starts_on,
                                      ends_on=ends_on, housing_fund_rate=housing_fund_rate)
    if errors:
        raise ValidationFailed(errors)
    contract = Contract(client=client, number=number, starts_on=starts_on, ends_on=ends_on,
                        housing_fund_rate=housing_fund_rate, created_by=actor)
    for name, text in (sections or {}).items():
        if text:
            setattr(contract, name, text)
    for name, flag in (services or {}).items():
        setattr(contract, name, flag)
    stored = _receive(signed_scan, field="signed_scan")
    if stored is not None:
        contract.signed_scan.name = stored.name
    record_actor(contract, actor)
    contract.save()
    if stored is not None:  # STD-4.8: the signed service agreement
        archive_store(stored=stored, kind=ItemKind.AGREEMENT, client_id=client.pk,
                      month=timezone.localdate(), actor=actor, subject=contract,
                      title=f"服务合同 {contract.number} 签章扫描件")
    ContractPrice.objects.bulk_create(
        ContractPrice(contract=contract, city=city, price_per_head=p.price_per_head,
                      override_reason=p.override_reason.strip(),
                      work_injury_rate=p.work_injury_rate)
        for p, city in zip(prices, cities, strict=True)
    )
    return contract


@transaction.atomic
def contract_activate(*, contract: Contract, actor: User | None) -> Contract:
    """draft → active; only for a client whose business licence was verified."""
    contract = Contract.objects.select_for_update().select_related("client").get(pk=contract.pk)
    if contract.status != Contract.Status.DRAFT:
        raise Conflict("invalid_transition",
                       "只有草稿合同可以生效 / Only a draft contract can become active")
    if not contract.client.licence_verified:
        raise DomainError(
            code="licence_unverified",
            message="客户营业执照尚未核验 / The client's business licence is not verified",
        )
    if contract.ends_on < timezone.localdate():
        raise DomainError(code="contract_ended",
                          message="合同期限已过 / The contract term has already ended",
                          details=[ErrorDetail("contract_ended", "ends_on", field="ends_on")])
    contract.status = Contract.Status.ACTIVE
    contract.activated_at = timezone.now()
    record_actor(contract, actor)
    contract.save(update_fields=["status", "activated_at"])
    audit_record(actor=actor, action=AuditEvent.Action.OTHER, target=contract,
                 client_id=contract.client_id,
                 detail={"event": "contract_activated", "number": contract.number})
    return contract


@transaction.atomic
def contract_terminate(*, contract: Contract, reason: str, actor: User) -> Contract:
    """active → terminated (or a draft withdrawn), with a reason."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status not in (Contract.Status.DRAFT, Contract.Status.ACTIVE):
        raise Conflict("invalid_transition", "合同已结束 / The contract has already ended")
    if not reason.strip():
        raise ValidationFailed([ErrorDetail("required", "请填写终止原因 / Give a reason",
                                            field="reason")])
    contract.status = Contract.Status.TERMINATED
    contract.ended_at = timezone.now()
    contract.termination_reason = reason.strip()
    record_actor(contract, actor)
    contract.save(update_fields=["status", "ended_at", "termination_reason"])
    audit_record(actor=actor, action=AuditEvent.Action.OTHER, target=contract,
                 client_id=contract.client_id,
                 detail={"event": "contract_terminated", "number": contract.number,
                         "reason": contract.termination_reason})
    return contract


@transaction.atomic
def contract_expire_due(*, today: datetime.date) -> int:
    """Active contracts whose end date has passed become expired. Safe to run twice."""
    return Contract.objects.filter(status=Contract.Status.ACTIVE, ends_on__lt=today).update(
        status=Contract.Status.EXPIRED, ended_at=timezone.now()
    )


CHANNEL_TITLES = {"phone": "电话", "email": "邮件", "letter": "信函", "meeting": "面谈",
                  "other": "其他"}


@transaction.atomic
def correspondence_log(
    *,
    client: Client,
    channel: str,
    incoming: bool,
    occurred_on: datetime.date,
    subject: str,
    summary: str = "",
    upload: UploadedFile | None = None,
    actor: User,
) -> ArchiveItem:
    """Log a call, e-mail, letter or meeting with a client as correspondence (STD-4.8): an
    archive item of the month it happened, with its summary and, if there is one, its file."""
    errors = []
    if channel not in CorrespondenceChannel.values:
        errors.append(ErrorDetail("invalid_choice", "方式无效 / Unknown channel",
                                  field="channel"))
    if not subject.strip():
        errors.append(ErrorDetail("required", "请填写主题 / The subject is required",
                                  field="subject"))
    if occurred_on > timezone.localdate():
        errors.append(ErrorDetail("date_in_future", "日期不能晚于今天 / The date is in the "
                                  "future", field="occurred_on"))
    if not summary.strip() and upload is None:
        errors.append(ErrorDetail("required", "请填写摘要或附上文件 / Give a summary or "
                                  "attach the file", field="summary"))
    if errors:
        raise ValidationFailed(errors)
    direction = "来" if incoming else "去"
    stored = None
    if upload is not None:
        stored = archive_receive_file(content=upload, original_name=upload.name or "letter",
                                      month=occurred_on)
    return archive_store(
        stored=stored, original_name=(upload.name or "") if upload else "",
        kind=ItemKind.CORRESPONDENCE, client_id=client.pk, month=occurred_on, actor=actor,
        subject=client, note=summary.strip(),
        title=f"{occurred_on:%Y-%m-%d} {CHANNEL_TITLES[channel]}（{direction}） · "
              f"{subject.strip()}",
    )
