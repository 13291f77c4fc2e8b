from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core import clock
from core.models import TimeStampedModel
from core.quarters import Quarter


class Recipient(TimeStampedModel):
    """A member of the board's distribution list."""

    name = models.CharField(max_length=150)
    email = models.EmailField(unique=True)
    role = models.CharField(max_length=150, blank=True, help_text="For example Board chair.")
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class BoardReport(TimeStampedModel):
    """One request for one quarter's progress report, and what became of it."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    strategy = models.ForeignKey("themes.Strategy", on_delete=models.PROTECT, related_name="board_reports")
    period = models.PositiveIntegerField(help_text="The quarter reported, year*10+quarter.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    error = models.TextField(blank=True)
    send_when_built = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requested_reports",
        help_text="Empty when requested by the schedule.",
    )
    requested_at = models.DateTimeField(default=clock.now)
    pdf = models.FileField(upload_to="reports/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Whether the PDF was built from a locked quarter: only then is it final, so
    # sending rebuilds a PDF made before the quarter was locked.
    quarter_locked = models.BooleanField(default=False, editable=False)
    # A quarter's reports are version 1 until the quarter is reopened after sending;
    # the reports asked for after that are version 2, and so on (services.next_version).
    version = models.PositiveSmallIntegerField(default=1, editable=False)
    # Set when the quarter was reopened after this report went to the board: the
    # report stays exactly as sent (PDF, SHA-256, deliveries), but its figures are
    # no longer final. Who reopened it, when and why.
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    superseded_reason = models.TextField(blank=True, editable=False)
    # Asked for by the daily schedule (reporting.services.report_schedule_due): at most
    # one such report per quarter, enforced below, however many beats or workers run it.
    scheduled = models.BooleanField(default=False, editable=False)
    # An administrator confirmed sending a quarter that has not ended yet ("report early").
    report_early = models.BooleanField(default=False, editable=False)
    # When the current step (building, sending) began, and how many times it was
    # started: a worker killed mid-build (out of memory) redelivers the job, and each
    # redelivery counts, so a build that can never finish ends failed, not "building"
    # forever (services.report_sweep and BOARD_REPORT_BUILD_ATTEMPTS).
    step_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    build_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    send_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    # When the send task's next retry is due: a retry waits in the broker, and the
    # sweeper queues it again if it is overdue (the broker lost it).
    retry_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-period", "-version", "-requested_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(state="ready") | ~Q(sha256=""), name="ready_report_has_pdf"),
            models.CheckConstraint(
                condition=Q(superseded_at__isnull=True) | ~Q(superseded_reason=""),
                name="superseded_report_has_reason",
            ),
            # One version of a quarter's report goes to the board: a second would
            # e-mail the board the same quarter twice.
            models.UniqueConstraint(
                fields=["strategy", "period", "version"],
                condition=Q(state__in=["sending", "sent"]),
                name="one_sent_report_per_version",
            ),
            models.UniqueConstraint(
                fields=["strategy", "period"],
                condition=Q(scheduled=True),
                name="one_scheduled_report_per_quarter",
            ),
        ]

    def __str__(self):
        return f"Board report {self.quarter.label}"

    @property
    def quarter(self) -> Quarter:
        return Quarter.from_code(self.period)

    @property
    def is_superseded(self) -> bool:
        return self.superseded_at is not None

    @property
    def is_scheduled(self) -> bool:
        return self.scheduled or self.requested_by_id is None

    @property
    def has_pdf(self) -> bool:
        return bool(self.sha256 and self.pdf)

    @property
    def filename(self) -> str:
        version = f"-version-{self.version}" if self.version > 1 else ""
        return f"board-report-{self.quarter.label.replace('/', '-').replace(' ', '-').lower()}{version}.pdf"

    def get_absolute_url(self):
        return f"/reports/{self.pk}/"


class Delivery(models.Model):
    """One recipient's copy of one report: sent at most once."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    report = models.ForeignKey(BoardReport, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(
        Recipient, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    name = models.CharField(max_length=150)
    email = models.EmailField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # When a sender claimed this delivery (pending -> sending). A claim that never
    # finished means a worker died mid-send: we cannot know if the e-mail left.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["report", "email"], name="one_delivery_per_recipient"),
        ]

    def __str__(self):
        return f"{self.report} to {self.email}: {self.get_state_display()}"
