"""Client companies (委托方) and what belongs to them: API keys, service contracts and
their prices, contract expiry reminders."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

SMALL_TIER_MAX = 100  # 小微: 1–100 persons
MEDIUM_TIER_MAX = 299  # 中型: 101–299; 大型: 300 and more


class SizeTier(models.TextChoices):
    """Size tier by active headcount (STD-7.4)."""

    SMALL = "small", _("Small/micro (1–100)")
    MEDIUM = "medium", _("Medium (101–299)")
    LARGE = "large", _("Large (300+)")


def size_tier(headcount: int) -> SizeTier:
    if headcount <= SMALL_TIER_MAX:
        return SizeTier.SMALL
    if headcount <= MEDIUM_TIER_MAX:
        return SizeTier.MEDIUM
    return SizeTier.LARGE


class Client(models.Model):
    """委托方: an employer company that outsources its social-insurance work to the agency.

    Headcount is never stored: it is derived from active enrolments (selectors)."""

    class OwnershipType(models.TextChoices):
        STATE_OWNED = "state_owned", _("State-owned")
        COLLECTIVE = "collective", _("Collective")
        PRIVATE = "private", _("Private")
        FOREIGN_INVESTED = "foreign_invested", _("Foreign-invested")
        HMT_INVESTED = "hmt_invested", _("Hong Kong/Macao/Taiwan-invested")
        PUBLIC_INSTITUTION = "public_institution", _("Public institution")
        SOCIAL_ORGANIZATION = "social_organization", _("Social organization")
        OTHER = "other", _("Other")

    class Industry(models.TextChoices):
        """GB/T 4754-2017 sections (门类)."""

        A = "A", _("A Agriculture, forestry, animal husbandry and fishery")
        B = "B", _("B Mining")
        C = "C", _("C Manufacturing")
        D = "D", _("D Electricity, heat, gas and water")
        E = "E", _("E Construction")
        F = "F", _("F Wholesale and retail")
        G = "G", _("G Transport, storage and post")
        H = "H", _("H Accommodation and catering")
        I = "I", _("I Information transmission, software and IT services")  # noqa: E741
        J = "J", _("J Finance")
        K = "K", _("K Real estate")
        L = "L", _("L Leasing and business services")
        M = "M", _("M Scientific research and technical services")
        N = "N", _("N Water conservancy, environment and public facilities")
        O = "O", _("O Resident services, repair and other services")  # noqa: E741
        P = "P", _("P Education")
        Q = "Q", _("Q Health and social work")
        R = "R", _("R Culture, sports and entertainment")
        S = "S", _("S Public administration, social security and social organizations")
        T = "T", _("T International organizations")

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    ownership_type = models.CharField(
        _("ownership type"), max_length=30, choices=OwnershipType.choices,
        default=OwnershipType.PRIVATE,
    )
    industry = models.CharField(
        _("industry (GB/T 4754)"), max_length=1, choices=Industry.choices, default=Industry.L
    )
    office_address = models.CharField(_("office address"), max_length=300, blank=True)
    work_injury_risk_class = models.PositiveSmallIntegerField(
        _("work-injury industry risk class"), null=True, blank=True,
        choices=[(n, str(n)) for n in range(1, 9)],
        help_text=_("工伤保险行业风险类别 (1–8): the class sets the range of the client's "
                    "work-injury rate; the rate itself is on the contract's city prices."),
    )
    city = models.ForeignKey(
        "policies.City", verbose_name=_("city"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="clients",
    )
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    licence_scan = models.FileField(_("business licence scan"), upload_to="client-licences/%Y/",
                                    blank=True)
    licence_verified_at = models.DateTimeField(_("licence verified at"), null=True, blank=True)
    licence_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("licence verified by"),
        on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    service_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("service representative"),
        on_delete=models.PROTECT, null=True, blank=True, related_name="represented_clients",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def licence_verified(self) -> bool:
        return self.licence_verified_at is not None


class ApiKey(models.Model):
    """A client's API key: shown once when issued, stored as its SHA-256 hash."""

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE,
                               related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


DEFAULT_RIGHTS = (
    "甲方委托乙方办理社会保险及住房公积金代理事务；甲方应如实提供参保人员信息及资料，"
    "乙方应依法、及时、准确地办理各项代理业务，并对甲方及参保人员信息保密。"
)
DEFAULT_CONTENT = (
    "政策咨询、增减员办理、出险理赔（工伤、生育、医疗报销）、退休办理、社会保险关系转移接续。"
)
DEFAULT_FEES = (
    "服务费按参保城市每人每月标准计收，与社会保险费、住房公积金一并按月结算；"
    "甲方应于账单确认后10个工作日内付清。"
)
DEFAULT_BREACH = (
    "任何一方违反本合同约定给对方造成损失的，应承担相应赔偿责任；"
    "因乙方过错导致参保人员权益受损的，由乙方承担责任。"
)


class Contract(models.Model):
    """社保代理服务合同 (STD-4.2): the service agreement with a client."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT,
                               related_name="contracts")
    number = models.CharField(_("contract number"), max_length=40, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.DRAFT)
    rights_and_obligations = models.TextField(_("rights and obligations"),
                                              default=DEFAULT_RIGHTS)
    service_content = models.TextField(_("service content"), default=DEFAULT_CONTENT)
    fees_and_payment = models.TextField(_("fees and payment"), default=DEFAULT_FEES)
    breach_liability = models.TextField(_("liability for breach"), default=DEFAULT_BREACH)
    includes_policy_consultation = models.BooleanField(_("policy consultation"), default=True)
    includes_add_remove = models.BooleanField(_("add/remove (增减员)"), default=True)
    includes_claims = models.BooleanField(_("claims (出险)"), default=True)
    includes_retirement = models.BooleanField(_("retirement"), default=True)
    includes_transfer = models.BooleanField(_("transfer"), default=True)
    housing_fund_rate = models.DecimalField(
        _("housing fund rate"), max_digits=5, decimal_places=4, null=True, blank=True,
        help_text=_("The rate the client chose, e.g. 0.0700; empty when no housing fund."),
    )
    signed_scan = models.FileField(_("signed scan"), upload_to="contracts/%Y/", blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    termination_reason = models.CharField(_("termination reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(name="contract_ends_after_start",
                                   condition=models.Q(ends_on__gte=models.F("starts_on"))),
        ]
        indexes = [models.Index(fields=["status", "ends_on"])]

    def __str__(self) -> str:
        return self.number

    def included_services(self) -> list[str]:
        return [str(label) for name, label in INCLUDED_SERVICES.items() if getattr(self, name)]


INCLUDED_SERVICES = {
    "includes_policy_consultation": _("policy consultation"),
    "includes_add_remove": _("add/remove (增减员)"),
    "includes_claims": _("claims (出险)"),
    "includes_retirement": _("retirement"),
    "includes_transfer": _("transfer"),
}
INCLUDED_SERVICE_FIELDS = tuple(INCLUDED_SERVICES)


class ContractPrice(models.Model):
    """The service fee per person per month in one city (STD-4.1: 50–120 CNY, outside
    that only with a reason)."""

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE,
                                 related_name="prices")
    city = models.ForeignKey("policies.City", verbose_name=_("city"),
                             on_delete=models.PROTECT, related_name="+")
    price_per_head = models.DecimalField(_("price per person per month"), max_digits=12,
                                         decimal_places=2)
    override_reason = models.CharField(_("price override reason"), max_length=300, blank=True)
    work_injury_rate = models.DecimalField(
        _("work-injury rate"), max_digits=7, decimal_places=6, null=True, blank=True,
        help_text=_("The employer's work-injury insurance rate in this city, by the client's "
                    "industry risk class (within the city's range); empty: the city's base "
                    "rate."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract price")
        verbose_name_plural = _("contract prices")
        ordering = ["city__code"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "city"],
                                    name="contract_price_one_per_city"),
        ]

    def __str__(self) -> str:
        return f"{self.city} {self.price_per_head}"


class ContractReminder(models.Model):
    """A contract expiry reminder (STD-5.2), sent once per contract and lead time."""

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE,
                                 related_name="reminders")
    lead_days = models.PositiveSmallIntegerField(_("lead time (days)"))
    sent_on = models.DateField(_("sent on"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )

    class Meta:
        verbose_name = _("contract reminder")
        verbose_name_plural = _("contract reminders")
        constraints = [
            models.UniqueConstraint(fields=["contract", "lead_days"],
                                    name="contract_reminder_once_per_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} −{self.lead_days}d"


class WebhookEvent(models.TextChoices):
    ORDER_LINE_SUCCEEDED = "order.line.succeeded", _("Roster line succeeded")
    ORDER_LINE_FAILED = "order.line.failed", _("Roster line failed")
    BILL_ISSUED = "bill.issued", _("Bill issued")
    BILL_CONFIRMED = "bill.confirmed", _("Bill confirmed")
    BILL_DISPUTED = "bill.disputed", _("Bill disputed")
    INVOICE_ISSUED = "invoice.issued", _("Invoice issued")
    INQUIRY_ANSWERED = "inquiry.answered", _("Inquiry answered")
    CASE_UPDATED = "case.updated", _("Insurance case updated")


class WebhookEndpoint(models.Model):
    """An HTTPS URL of a client's system that receives events, signed with `secret`."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("secret"), max_length=64)
    events = models.JSONField(
        _("events"), default=list, blank=True, help_text=_("Empty means every event.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["client", "pk"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return self.is_active and (not self.events or event in self.events)


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one endpoint, with its attempts."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    event_id = models.UUIDField(_("event id"))
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(
        WebhookDelivery, verbose_name=_("delivery"), on_delete=models.CASCADE,
        related_name="attempt_log",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.at:%H:%M:%S} {self.status_code or self.error}"
