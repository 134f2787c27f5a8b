"""Insured persons and their enrolments: what every enrollment topic builds on."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from policies.models import City


class InsuredPerson(models.Model):
    """参保人员: an employee of a client, enrolled by the agency.

    A person is not bound to one client: different clients may enrol the same person over
    time (each enrolment names its client). The identity-document number and the hukou
    address are personal data: stored only encrypted (`agency.crypto`), with a keyed hash
    for exact lookup and uniqueness, the last four characters for search and the masked
    form for display. Write them through `enrollment.persons.services` only."""

    class DocumentType(models.TextChoices):
        RESIDENT_ID = "resident_id", _("Resident ID card")
        RESIDENCE_PERMIT = "residence_permit", _("Hong Kong/Macao/Taiwan residence permit")
        FOREIGN_PERMANENT = "foreign_permanent", _("Foreign permanent-resident ID card")
        PASSPORT = "passport", _("Passport")

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class EducationLevel(models.TextChoices):
        JUNIOR_HIGH = "junior_high", _("Junior high school or below")
        SENIOR_HIGH = "senior_high", _("Senior high school")
        VOCATIONAL = "vocational", _("Secondary vocational school")
        COLLEGE = "college", _("College (dazhuan)")
        BACHELOR = "bachelor", _("Bachelor")
        MASTER = "master", _("Master")
        DOCTORATE = "doctorate", _("Doctorate")

    class HukouType(models.TextChoices):
        URBAN_LOCAL = "urban_local", _("Urban, local")
        URBAN_NONLOCAL = "urban_nonlocal", _("Urban, non-local")
        RURAL_LOCAL = "rural_local", _("Rural, local")
        RURAL_NONLOCAL = "rural_nonlocal", _("Rural, non-local")

    class EmploymentType(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary")
        DISPATCHED = "dispatched", _("Dispatched (labour dispatch)")
        OUTSOURCED = "outsourced", _("Outsourced")

    name = models.CharField(_("name"), max_length=100)
    id_document_type = models.CharField(
        _("identity document"), max_length=20, choices=DocumentType.choices,
        default=DocumentType.RESIDENT_ID,
    )
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True, editable=False)
    id_number_hash = models.CharField(
        _("ID number lookup hash"), max_length=64, blank=True, editable=False, db_index=True
    )
    id_number_last4 = models.CharField(
        _("ID number, last four"), max_length=4, blank=True, editable=False, db_index=True
    )
    id_number_masked = models.CharField(
        _("ID number (masked)"), max_length=32, blank=True, editable=False
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    education_level = models.CharField(
        _("education"), max_length=20, choices=EducationLevel.choices, blank=True
    )
    school = models.CharField(_("school"), max_length=100, blank=True)
    major = models.CharField(_("major"), max_length=100, blank=True)
    graduated_on = models.DateField(_("graduation date"), null=True, blank=True)
    education_certificate_number = models.CharField(
        _("education certificate number"), max_length=50, blank=True
    )
    hukou_type = models.CharField(
        _("hukou type"), max_length=20, choices=HukouType.choices, blank=True
    )
    hukou_address_encrypted = models.TextField(
        _("hukou address (encrypted)"), blank=True, editable=False
    )
    employment_type = models.CharField(
        _("employment type"), max_length=20, choices=EmploymentType.choices,
        default=EmploymentType.ORDINARY,
    )
    labour_contract_starts_on = models.DateField(
        _("labour contract starts on"), null=True, blank=True
    )
    labour_contract_ends_on = models.DateField(_("labour contract ends on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # the ciphertexts and the hash stay out of the history: it records who changed what
    # (the masked number and last four show a change of number), never the secret itself,
    # and key rotation then has only the live rows to re-encrypt.
    history = HistoricalRecords(
        excluded_fields=["id_number_encrypted", "id_number_hash", "hukou_address_encrypted"]
    )

    class Meta:
        verbose_name = _("insured person")
        verbose_name_plural = _("insured persons")
        ordering = ["name", "id"]
        # the staff's list of every person is a walk along this index, however deep the page
        indexes = [models.Index(fields=["name", "id"], name="person_by_name")]
        constraints = [
            models.UniqueConstraint(
                fields=["id_document_type", "id_number_hash"],
                condition=~models.Q(id_number_hash=""),
                name="person_unique_document_number",
                violation_error_message=_("A person with this ID number already exists."),
            ),
            models.CheckConstraint(
                name="person_labour_contract_dates_ordered",
                condition=models.Q(labour_contract_ends_on__isnull=True)
                | models.Q(labour_contract_starts_on__isnull=True)
                | models.Q(labour_contract_ends_on__gte=models.F("labour_contract_starts_on")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def current_enrollment(self) -> "Enrollment | None":
        """The enrolment a one-line summary of the person shows (list rows; the API's `city`,
        `status`, `base`): social insurance before housing fund, active first, the latest
        start first, among the enrolments the viewer may see (`scoped_enrollments`, which
        `enrollment.persons.selectors.person_list` prefetches); None without any."""
        enrollments: list[Enrollment] = getattr(self, "scoped_enrollments", [])
        for enrollment in enrollments:
            if enrollment.scheme == Enrollment.Scheme.SOCIAL_INSURANCE:
                return enrollment
        return enrollments[0] if enrollments else None


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
        # in context: an enrolment is 在保 (insured), where a contract or a key is 有效
        ACTIVE = "active", pgettext_lazy("enrolment status", "Active")
        SEALED = "sealed", _("Sealed")  # housing fund 封存
        ENDED = "ended", _("Ended")

    class BaseKind(models.TextChoices):
        DECLARED = "declared", _("Declared amount")
        CITY_MIN = "min", _("City minimum")
        CITY_MAX = "max", _("City maximum")

    class EndReason(models.TextChoices):
        RESIGNATION = "resignation", _("Resignation")
        DISMISSAL = "dismissal", _("Dismissal")
        CONTRACT_END = "contract_end", _("Contract ended")
        RETIREMENT = "retirement", _("Retirement")
        DEATH = "death", _("Death")
        TRANSFER = "transfer", _("Transfer")
        OTHER = "other", _("Other")

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
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=EndReason.choices, blank=True
    )
    base_kind = models.CharField(
        _("base kind"), max_length=10, choices=BaseKind.choices, default=BaseKind.DECLARED
    )
    base = models.DecimalField(
        _("contribution base"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("The declared base; empty when the base is the city's minimum or maximum."),
    )
    rate = models.DecimalField(
        _("rate"), max_digits=5, decimal_places=4, null=True, blank=True,
        help_text=_("Contribution rate where the scheme has one per person (housing fund)."),
    )
    bureau_account_number = models.CharField(_("bureau account number"), max_length=50, blank=True)
    first_billed_month = models.DateField(
        _("first billed month"), null=True, blank=True,
        help_text=_("First day of the first month billed to the client."),
    )
    sealed_on = models.DateField(_("sealed on"), null=True, blank=True)
    billed_through = models.DateField(
        _("billed through"), null=True, blank=True,
        help_text=_("Last day of the last month an issued bill charged (billing sets it)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "city", "scheme"],
                condition=models.Q(status="active"),
                name="enrollment_one_active_per_person_city_scheme",
            ),
            models.CheckConstraint(
                name="enrollment_base_positive",
                condition=models.Q(base__isnull=True) | models.Q(base__gt=0),
            ),
            models.CheckConstraint(
                name="enrollment_rate_fraction",
                condition=models.Q(rate__isnull=True) | models.Q(rate__gt=0, rate__lt=1),
            ),
            models.CheckConstraint(
                name="enrollment_period_ordered",
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
            ),
        ]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.city} · {self.get_scheme_display()}"

    @property
    def can_seal(self) -> bool:
        """A housing-fund account that is paid into can be sealed (封存)."""
        return self.scheme == Scheme.HOUSING_FUND and self.status == self.Status.ACTIVE

    @property
    def can_unseal(self) -> bool:
        return self.scheme == Scheme.HOUSING_FUND and self.status == self.Status.SEALED


class EnrollmentBase(models.Model):
    """The base (缴费基数) of an enrolment from a month on (调基 is effective-dated).

    The first row starts with the enrolment; each base adjustment adds a row from its
    effective month. Every computation for a month (bills, proofs) uses the row in force
    that month; earlier months keep the base they were billed at. `Enrollment.base_kind`
    / `base` / `rate` repeat the newest row for lists and filters."""

    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("enrolment"), on_delete=models.CASCADE,
        related_name="bases",
    )
    starts_month = models.DateField(_("from month"), help_text=_("First day of the month."))
    base_kind = models.CharField(
        _("base kind"), max_length=10, choices=Enrollment.BaseKind.choices,
        default=Enrollment.BaseKind.DECLARED,
    )
    base = models.DecimalField(
        _("contribution base"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    rate = models.DecimalField(
        _("rate"), max_digits=5, decimal_places=4, null=True, blank=True,
        help_text=_("Contribution rate where the scheme has one per person (housing fund)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enrolment base")
        verbose_name_plural = _("enrolment bases")
        ordering = ["enrollment", "starts_month"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "starts_month"],
                                    name="enrollment_base_one_per_month"),
            models.CheckConstraint(name="enrollment_base_first_of_month",
                                   condition=models.Q(starts_month__day=1)),
            models.CheckConstraint(
                name="enrollment_base_declared_positive",
                condition=models.Q(base__isnull=True) | models.Q(base__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.starts_month:%Y-%m} {self.base_kind} {self.base}"
