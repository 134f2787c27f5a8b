"""Cities and their contribution policies (社保/公积金缴费政策): effective-dated versions per
city, one row per contribution item. The calculator never reads these models: a selector
turns a version into the plain frozen dataclasses of `policies.calculator`."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from simple_history.models import HistoricalRecords


class City(models.Model):
    """A city (统筹地区) where the agency enrols people, by GB/T 2260 six-digit code."""

    code = models.CharField(_("code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order_cutoff_day = models.PositiveSmallIntegerField(
        _("order cut-off day"),
        default=15,
        help_text=_(
            "Add/remove lines received on or before this day of the month take effect that "
            "month, later ones the next month."
        ),
    )
    # 补缴: how far back the bureau still takes a month late, per scheme. The published
    # policy data does not say; the working default (three months, not across the year)
    # is cautious, and staff confirm each city's figures against the bureau.
    backpay_months_social_insurance = models.PositiveSmallIntegerField(
        _("back-payment months (social insurance)"), default=3,
        help_text=_("How many months before the current one an add may still be paid late "
                    "(补缴); 0: none."),
    )
    backpay_months_housing_fund = models.PositiveSmallIntegerField(
        _("back-payment months (housing fund)"), default=3,
        help_text=_("How many months before the current one an add may still be paid late "
                    "(补缴); 0: none."),
    )
    backpay_across_year = models.BooleanField(
        _("back-payment across the year end"), default=False,
        help_text=_("Whether months of last year may still be paid late in January."),
    )
    backpay_confirmed = models.BooleanField(
        _("back-payment rules confirmed with the bureau"), default=False,
        help_text=_("Unconfirmed figures are a working default and are marked for staff."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="city_code_six_digits", condition=models.Q(code__regex=r"^[0-9]{6}$")
            ),
            models.CheckConstraint(
                name="city_cutoff_day_in_month",
                condition=models.Q(order_cutoff_day__gte=1, order_cutoff_day__lte=31),
            ),
            models.CheckConstraint(
                name="city_backpay_within_a_year",
                condition=models.Q(backpay_months_social_insurance__lte=12,
                                   backpay_months_housing_fund__lte=12),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def backpay_months(self, scheme: str) -> int:
        """How many months back the bureau takes a late payment of `scheme` here."""
        if scheme == "housing_fund":
            return self.backpay_months_housing_fund
        return self.backpay_months_social_insurance


# the confidence label that needs no mark; anything else is shown to staff as unverified
OFFICIAL_TEXT = "official_text"


class PolicyVersion(models.Model):
    """One city's contribution figures for a period (政策版本).

    Versions of one city never overlap (a PostgreSQL exclusion constraint, added by the
    migration, and the service on every database); a gap means "no policy" for those
    months. A version used by an issued bill is locked and can no longer be edited, only
    superseded: a provisional version is replaced by its final figures for the same
    period (`superseded_by`), and only versions not superseded are in force."""

    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.PROTECT, related_name="policy_versions"
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(
        _("effective to"), null=True, blank=True, help_text=_("Empty: until further notice.")
    )
    notice = models.CharField(_("notice"), max_length=300, blank=True)
    provisional = models.BooleanField(
        _("provisional"),
        default=False,
        help_text=_("Continues earlier figures until the bureau announces the new ones."),
    )
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", verbose_name=_("superseded by"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="supersedes",
        help_text=_("The final figures that replaced this provisional version."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["city__code", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "effective_from"], name="policyversion_one_start_per_city",
                condition=models.Q(superseded_by__isnull=True),
            ),
            models.CheckConstraint(
                name="policyversion_to_after_from",
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city} {self.effective_from:%Y-%m-%d}–" + (
            f"{self.effective_to:%Y-%m-%d}" if self.effective_to else ""
        )

    @property
    def name(self) -> str:
        """The stable name the API shows: city code and first day, e.g. 310000/2025-07-01."""
        return f"{self.city.code}/{self.effective_from:%Y-%m-%d}"

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


class PolicyItem(models.Model):
    """One contribution item of a policy version (养老, 医疗, …, 公积金, or a city extra)."""

    class Kind(models.TextChoices):
        PENSION = "pension", _("Pension")
        MEDICAL = "medical", _("Medical")
        UNEMPLOYMENT = "unemployment", _("Unemployment")
        WORK_INJURY = "work_injury", _("Work injury")
        MATERNITY = "maternity", _("Maternity")
        HOUSING_FUND = "housing_fund", _("Housing fund")

    class Rounding(models.TextChoices):
        CENT_HALF_UP = "cent_half_up", _("Half up to the cent")
        YUAN_HALF_UP = "yuan_half_up", _("Half up to the yuan")

    class RateChoice(models.TextChoices):
        NONE = "", _("Fixed by the policy")
        EMPLOYER = "employer", _("Client chooses the employer rate")
        BOTH = "both", _("Client chooses one rate for both sides")

    version = models.ForeignKey(
        PolicyVersion, verbose_name=_("policy version"), on_delete=models.CASCADE,
        related_name="items",
    )
    kind = models.CharField(
        _("kind"), max_length=40,
        help_text=_(
            "A standard kind, or a city-specific extra item (lower-case letters, digits, _)."
        ),
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    base_floor = models.DecimalField(_("base floor"), max_digits=12, decimal_places=2)
    base_ceiling = models.DecimalField(_("base ceiling"), max_digits=12, decimal_places=2)
    employer_rate = models.DecimalField(_("employer rate"), max_digits=7, decimal_places=6)
    employee_rate = models.DecimalField(_("employee rate"), max_digits=7, decimal_places=6)
    employer_fixed = models.DecimalField(
        _("employer fixed amount"), max_digits=12, decimal_places=2, default=0
    )
    employee_fixed = models.DecimalField(
        _("employee fixed amount"), max_digits=12, decimal_places=2, default=0
    )
    rounding = models.CharField(
        _("rounding"), max_length=20, choices=Rounding.choices, default=Rounding.CENT_HALF_UP
    )
    rate_choice = models.CharField(
        _("rate chosen by the client"), max_length=10, choices=RateChoice.choices, blank=True,
        default=RateChoice.NONE,
    )
    rate_min = models.DecimalField(
        _("lowest rate allowed"), max_digits=7, decimal_places=6, null=True, blank=True
    )
    rate_max = models.DecimalField(
        _("highest rate allowed"), max_digits=7, decimal_places=6, null=True, blank=True
    )
    confidence = models.CharField(_("confidence"), max_length=200, default=OFFICIAL_TEXT)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("policy item")
        verbose_name_plural = _("policy items")
        ordering = ["version", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "kind"], name="policyitem_one_per_kind"),
            models.CheckConstraint(
                name="policyitem_kind_slug", condition=models.Q(kind__regex=r"^[a-z][a-z0-9_]*$")
            ),
            models.CheckConstraint(
                name="policyitem_floor_le_ceiling",
                condition=models.Q(base_floor__gte=0, base_ceiling__gte=models.F("base_floor")),
            ),
            models.CheckConstraint(
                name="policyitem_rates_in_0_1",
                condition=models.Q(
                    employer_rate__gte=0, employer_rate__lte=1,
                    employee_rate__gte=0, employee_rate__lte=1,
                    employer_fixed__gte=0, employee_fixed__gte=0,
                ),
            ),
            models.CheckConstraint(
                name="policyitem_rate_range",
                condition=models.Q(rate_choice="", rate_min__isnull=True, rate_max__isnull=True)
                | models.Q(
                    rate_choice__in=["employer", "both"],
                    rate_min__gte=0,
                    rate_max__gte=models.F("rate_min"),
                    rate_max__lte=1,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.display_kind}"

    @property
    def display_kind(self) -> str:
        return str(kind_label(self.kind, self.label))

    @property
    def is_official(self) -> bool:
        """False: the figures are not read from the official notice; staff see a mark."""
        return self.confidence == OFFICIAL_TEXT


def kind_label(kind: str, label: str = "") -> StrOrPromise:
    """The item's name for people: the standard kind's label (translated when shown), or
    the extra item's own."""
    if kind in PolicyItem.Kind.values:
        return PolicyItem.Kind(kind).label
    return label or kind
