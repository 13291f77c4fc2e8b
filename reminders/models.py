"""The reporting calendar of each strategy and the reminders the portal has sent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core import clock
from core.models import TimeStampedModel
from core.quarters import Quarter


class ReportingCalendar(TimeStampedModel):
    """When a strategy's quarterly updates are due and are reported to the board.

    Dates are counted from each quarter's last day; a QuarterDeadline overrides
    them for one quarter (a board meeting moved, a Christmas extension).
    """

    strategy = models.OneToOneField(
        "themes.Strategy", on_delete=models.CASCADE, related_name="reporting_calendar"
    )
    due_working_days = models.PositiveSmallIntegerField(
        default=10,
        help_text="Updates are due this many working days after the quarter ends "
        "(England and Wales bank holidays excluded).",
    )
    first_reminder_days = models.PositiveSmallIntegerField(
        default=7, help_text="The first reminder goes this many days before the due date."
    )
    board_report_working_days = models.PositiveSmallIntegerField(
        default=20, help_text="The board report goes this many working days after the quarter ends."
    )
    reminders_enabled = models.BooleanField(
        default=True, help_text="Untick to stop the scheduled reminders and escalations for this strategy."
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(due_working_days__gte=1), name="calendar_due_after_quarter"),
            models.CheckConstraint(
                condition=Q(board_report_working_days__gt=models.F("due_working_days")),
                name="calendar_board_report_after_due",
            ),
        ]

    def __str__(self):
        return f"Reporting calendar of {self.strategy}"


class QuarterDeadline(TimeStampedModel):
    """One quarter's dates, set by hand where the rule does not fit."""

    calendar = models.ForeignKey(ReportingCalendar, on_delete=models.CASCADE, related_name="deadlines")
    period = models.PositiveIntegerField(help_text="The quarter, as year*10+quarter (20223 is 2022/23 Q3).")
    due_on = models.DateField(null=True, blank=True)
    board_report_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["calendar", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "period"], name="one_deadline_per_quarter"),
            models.CheckConstraint(
                condition=Q(due_on__isnull=True)
                | Q(board_report_on__isnull=True)
                | Q(board_report_on__gt=models.F("due_on")),
                name="deadline_board_report_after_due",
            ),
        ]

    def __str__(self):
        return f"{Quarter.from_code(self.period).label} dates"


class Reminder(models.Model):
    """One e-mail of one step to one person about one quarter.

    The row is claimed (inserted) before the e-mail is sent: the unique
    constraint makes a second run of the same step find it and send nothing.
    """

    class Step(models.TextChoices):
        FIRST = "first", "First reminder"
        DUE = "due", "Due-day reminder"
        ESCALATION = "escalation", "Escalation to administrators"
        MANUAL = "manual", "Reminder sent by an administrator"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not needed (updates received)"

    strategy = models.ForeignKey("themes.Strategy", on_delete=models.CASCADE, related_name="reminders")
    period = models.PositiveIntegerField(help_text="The quarter the updates are for.")
    step = models.CharField(max_length=12, choices=Step.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="update_reminders"
    )
    email = models.EmailField(help_text="The address it was sent to.")
    actions = models.ManyToManyField("actionplan.Action", related_name="reminders", blank=True)
    # Manual reminders are limited to one a day per person; scheduled ones to one a quarter.
    day = models.DateField(default=clock.today)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when sent by the schedule.",
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    # When a sender moved it to "sending": a claim that never finished means the
    # worker died mid-send (services.reminders_sweep expires it).
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "recipient", "period", "step"],
                condition=~Q(step="manual"),
                name="one_scheduled_reminder_per_step",
            ),
            models.UniqueConstraint(
                fields=["strategy", "recipient", "period", "day"],
                condition=Q(step="manual"),
                name="one_manual_reminder_per_day",
            ),
        ]
        indexes = [models.Index(fields=["strategy", "period", "step"])]

    def __str__(self):
        return f"{self.get_step_display()} to {self.recipient} for {self.quarter.label}"

    @property
    def quarter(self) -> Quarter:
        return Quarter.from_code(self.period)
