"""Cities, insured persons and their enrolments: what every enrollment topic builds on."""

from django.db import models
from django.utils.translation import gettext_lazy as _
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
        ]

    def __str__(self) -> str:
        return self.name


class InsuredPerson(models.Model):
    """参保人员: an employee of a client, enrolled by the agency."""

    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("insured person")
        verbose_name_plural = _("insured persons")

    def __str__(self) -> str:
        return self.name


class Scheme(models.TextChoices):
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    HOUSING_FUND = "housing_fund", _("Housing fund")


class Enrollment(models.Model):
    """One person's enrolment by one client in one city and one scheme (社保 or 公积金).

    Social insurance and housing fund are separate enrolments: each has its own period,
    base and status. A person has at most one active enrolment per city and scheme."""

    Scheme = Scheme

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active")
        SEALED = "sealed", _("Sealed")  # housing fund 封存
        ENDED = "ended", _("Ended")

    person = models.ForeignKey(
        InsuredPerson, verbose_name=_("person"), on_delete=models.PROTECT,
        related_name="enrollments",
    )
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT,
        related_name="enrollments",
    )
    city = models.ForeignKey(
        City, verbose_name=_("city"), on_delete=models.PROTECT, related_name="enrollments"
    )
    scheme = models.CharField(_("scheme"), max_length=20, choices=Scheme.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    base = models.DecimalField(
        _("contribution base"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "city", "scheme"],
                condition=models.Q(status="active"),
                name="enrollment_one_active_per_person_city_scheme",
            )
        ]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.city} · {self.get_scheme_display()}"
