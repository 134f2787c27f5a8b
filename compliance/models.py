"""The service side of the standard (STD-3.5, 4.9, 6.2, 6.3, 7.1–7.4) and the watch's
reminders (STD-5.2, 5.3 and every deadline of the other apps).

Inquiries (咨询) answer within 12 hours, complaints are handled within 48 and carry their
corrective actions; satisfaction feedback follows a closed inquiry, complaint or revisit;
revisits follow the client's size tier; training every fortnight and a monthly assessment
per staff member. A `Reminder` row is the proof that a finding of the watch was sent once."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Channel(models.TextChoices):
    """Where a client's inquiry or complaint came in."""

    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    VISIT = "visit", _("In person")


class AboutType(models.TextChoices):
    """What a follow-up question (STD-4.9) is about."""

    ORDER_LINE = "order_line", _("Roster line")
    CASE = "case", _("Insurance case")


class ClientMatter(models.Model):
    """What an inquiry and a complaint share: where it came in, who opened it (a user, or
    a label for an API key or a phone call), who answers it, and when it arrived."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    opened_by_label = models.CharField(_("opened by (label)"), max_length=150, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"),
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        abstract = True


class Inquiry(ClientMatter):
    """咨询: a client's question, to be answered within 12 hours (STD-6.2). The first
    response from the agency stops the clock."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting response")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    client = models.ForeignKey("clients.Client", verbose_name=_("client"),
                               on_delete=models.PROTECT, related_name="inquiries")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("question"))
    respond_by = models.DateTimeField(_("respond by"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    about_type = models.CharField(_("about"), max_length=20, choices=AboutType.choices,
                                  blank=True)
    about_id = models.BigIntegerField(_("about (id)"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "respond_by"], name="inquiry_open_clock"),
            models.Index(fields=["client", "-received_at"], name="inquiry_client_recent"),
        ]

    def __str__(self) -> str:
        return self.subject


class Complaint(ClientMatter):
    """投诉 (STD-7.1, 7.3): received → investigating → corrective action → closed with the
    client's confirmation; handled within 48 hours (STD-6.3): the first step out of
    `received` stops the clock."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        INVESTIGATING = "investigating", _("Investigating")
        ACTION = "action", _("Corrective action")
        CLOSED = "closed", _("Closed")

    client = models.ForeignKey("clients.Client", verbose_name=_("client"),
                               on_delete=models.PROTECT, related_name="complaints")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("complaint"))
    handle_by = models.DateTimeField(_("handle by"))
    first_action_at = models.DateTimeField(_("first action at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices,
                              default=Status.RECEIVED)
    findings = models.TextField(_("investigation findings"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    client_confirmed_at = models.DateTimeField(_("confirmed by the client at"), null=True,
                                               blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["status", "handle_by"], name="complaint_open_clock")]

    def __str__(self) -> str:
        return self.subject


class Message(models.Model):
    """One message of an inquiry's or a complaint's thread."""

    inquiry = models.ForeignKey(Inquiry, verbose_name=_("inquiry"), on_delete=models.CASCADE,
                                null=True, blank=True, related_name="messages")
    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"),
                                  on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    author_label = models.CharField(_("author (label)"), max_length=150, blank=True)
    from_client = models.BooleanField(_("from the client"))
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(
            name="message_of_one_thread",
            condition=(models.Q(inquiry__isnull=False, complaint__isnull=True)
                       | models.Q(inquiry__isnull=True, complaint__isnull=False)))]

    def __str__(self) -> str:
        return self.body[:50]


class CorrectiveAction(models.Model):
    """A corrective measure decided for a complaint (STD-7.3): what, who, by when, done."""

    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"),
                                  on_delete=models.PROTECT, related_name="actions")
    description = models.TextField(_("what is done"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"),
                              on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description[:50]


class Revisit(models.Model):
    """回访 (STD-7.4): a visit or call to the client; the next one is due by its tier."""

    client = models.ForeignKey("clients.Client", verbose_name=_("client"),
                               on_delete=models.PROTECT, related_name="revisits")
    visited_on = models.DateField(_("visited on"), db_index=True)
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visited by"),
                                   on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("notes"), blank=True)
    client_feedback = models.TextField(_("the client's feedback"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("revisit")
        verbose_name_plural = _("revisits")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["client", "-visited_on"], name="revisit_client_last")]

    def __str__(self) -> str:
        return f"{self.client} {self.visited_on:%Y-%m-%d}"


class Feedback(models.Model):
    """Satisfaction feedback (STD-7.2) after a closed inquiry or complaint, or a revisit:
    one per matter."""

    class About(models.TextChoices):
        INQUIRY = "inquiry", _("Inquiry")
        COMPLAINT = "complaint", _("Complaint")
        REVISIT = "revisit", _("Revisit")

    client = models.ForeignKey("clients.Client", verbose_name=_("client"),
                               on_delete=models.PROTECT, related_name="feedback")
    about = models.CharField(_("about"), max_length=10, choices=About.choices)
    about_id = models.BigIntegerField(_("about (id)"))
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("given by"),
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("satisfaction feedback")
        verbose_name_plural = _("satisfaction feedback")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["about", "about_id"], name="feedback_once"),
            models.CheckConstraint(name="feedback_score_1_to_5",
                                   condition=models.Q(score__gte=1, score__lte=5)),
        ]

    def __str__(self) -> str:
        return f"{self.get_about_display()} #{self.about_id}: {self.score}"


class TrainingSession(models.Model):
    """Staff training (STD-3.5.1): at least one session every two weeks."""

    class Topic(models.TextChoices):
        KNOWLEDGE = "knowledge", _("Professional knowledge")
        POLICY = "policy", _("Policy")
        SERVICE_SKILLS = "service_skills", _("Service skills")

    held_on = models.DateField(_("held on"), db_index=True)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("title"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=100)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("attendees"),
                                       related_name="trainings", blank=True)

    history = HistoricalRecords(m2m_fields=[attendees])

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class Assessment(models.Model):
    """The monthly assessment of one staff member (STD-3.5.2)."""

    class Outcome(models.TextChoices):
        REWARD = "reward", _("Reward")
        PENALTY = "penalty", _("Penalty")
        NONE = "none", _("None")

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"),
                              on_delete=models.PROTECT, related_name="assessments")
    month = models.DateField(_("month"))
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(100)])
    outcome = models.CharField(_("reward or penalty"), max_length=10, choices=Outcome.choices,
                               default=Outcome.NONE)
    note = models.TextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assessed by"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-month", "staff"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "month"], name="assessment_once_a_month"),
            models.CheckConstraint(name="assessment_month_first_day",
                                   condition=models.Q(month__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.month:%Y-%m}"


class Reminder(models.Model):
    """A finding of the watch sent to one person: the unique key (rule, subject, stage,
    recipient) makes it once, however often or concurrently the watch runs."""

    rule = models.CharField(_("rule"), max_length=40)
    subject_key = models.CharField(_("subject"), max_length=80)
    stage = models.CharField(_("stage"), max_length=20)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"),
                                  on_delete=models.CASCADE, related_name="reminders")
    escalation = models.BooleanField(_("escalation"), default=False)
    message = models.CharField(_("message"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(
            fields=["rule", "subject_key", "stage", "recipient"], name="reminder_once")]

    def __str__(self) -> str:
        return self.message
