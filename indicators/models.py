"""Performance indicators (KPIs): how a strategy's outcomes are measured beside its actions.

An indicator has a target per financial year (or per quarter, where the target changes
during the year) with an amber tolerance; each period's actual is an IndicatorValue,
append-only like progress updates. RAG and direction of travel are calculated from
these (indicators.rules), never typed or stored.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from actionplan.models import UPDATE_TEXT_LIMITS
from core import clock
from core.models import TimeStampedModel
from core.quarters import Quarter, financial_year_label
from indicators import periods
from indicators.periods import Period

VALUE_DIGITS = {"max_digits": 14, "decimal_places": 2}


class Indicator(TimeStampedModel):
    class Unit(models.TextChoices):
        PERCENTAGE = "percentage", "Percentage"
        NUMBER = "number", "Number"
        CURRENCY = "currency", "Currency (£)"
        DAYS = "days", "Days"
        HOURS = "hours", "Hours"

    class Polarity(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"
        ON_TARGET = "on_target", "On target is best"

    class Frequency(models.TextChoices):
        MONTHLY = periods.MONTHLY, "Monthly"
        QUARTERLY = periods.QUARTERLY, "Quarterly"
        ANNUAL = periods.ANNUAL, "Annual"

    class RollUp(models.TextChoices):
        LAST = "last", "Last month's value"
        SUM = "sum", "Sum of the months"
        AVERAGE = "average", "Average of the months"

    strategy = models.ForeignKey("themes.Strategy", on_delete=models.PROTECT, related_name="indicators")
    theme = models.ForeignKey("themes.Theme", on_delete=models.PROTECT, related_name="indicators")
    actions = models.ManyToManyField(
        "actionplan.Action", blank=True, related_name="indicators", help_text="The actions it measures."
    )
    code = models.CharField(max_length=20, help_text="Unique within the strategy, for example PI 3.2.")
    name = models.CharField(max_length=200)
    definition = models.TextField(help_text="What is measured and how, so anyone can reproduce the figure.")
    unit = models.CharField(max_length=12, choices=Unit.choices)
    polarity = models.CharField(max_length=10, choices=Polarity.choices, default=Polarity.HIGHER)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    roll_up = models.CharField(
        "Quarter roll-up",
        max_length=8,
        choices=RollUp.choices,
        default=RollUp.LAST,
        help_text="How a monthly indicator's months make its quarter's figure.",
    )
    data_source = models.CharField(max_length=200, blank=True)
    baseline = models.DecimalField(**VALUE_DIGITS, null=True, blank=True)
    baseline_note = models.CharField(
        max_length=100, blank=True, help_text="When the baseline was measured, for example 2018/19."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_indicators"
    )
    is_activity = models.BooleanField(
        "Activity indicator",
        default=False,
        help_text="Context only: no target and no RAG (for example the number of calls received).",
    )
    per_partner = models.BooleanField(
        "Values per partner",
        default=False,
        help_text="Values are recorded for each partner council as well as for the whole service.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["theme__number", "code"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "code"], name="indicator_code_unique_in_strategy"),
            models.CheckConstraint(
                condition=Q(frequency="monthly") | Q(roll_up="last"), name="indicator_roll_up_only_monthly"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return f"/indicators/{self.pk}/"

    def clean(self):
        errors = {}
        if self.theme_id and self.strategy_id and self.theme.strategy_id != self.strategy_id:
            errors["theme"] = "The theme must belong to the indicator's strategy."
        if self.frequency != self.Frequency.MONTHLY and self.roll_up != self.RollUp.LAST:
            errors["roll_up"] = "Only a monthly indicator rolls up its months: choose last value."
        errors.update(self._locked_rule_changes())
        if errors:
            raise ValidationError(errors)

    # What its RAG and figures are worked out from: fixed once a locked quarter has its values.
    RULE_FIELDS = ("unit", "polarity", "frequency", "roll_up", "is_activity")

    def _locked_rule_changes(self) -> dict[str, str]:
        """A locked quarter's scorecard never changes: refuse changing how the figures are worked
        out once a value is in a locked quarter (set up a new indicator instead)."""
        from actionplan import window

        locked = window.locked_up_to()
        if self._state.adding or locked is None:
            return {}
        before = type(self).objects.filter(pk=self.pk).values(*self.RULE_FIELDS).first() or {}
        changed = [
            name for name in self.RULE_FIELDS if before.get(name, getattr(self, name)) != getattr(self, name)
        ]
        if not changed or not self.values.filter(period_end__lte=locked.last_day).exists():
            return {}
        message = (
            f"This indicator has values in quarters reported to the board (up to {locked.label}), whose "
            "figures must not change: set up a new indicator instead."
        )
        return {name: message for name in changed}

    @property
    def is_percentage(self) -> bool:
        return self.unit == self.Unit.PERCENTAGE

    def format(self, number) -> str:
        """A figure as people read it in this indicator's unit: 87.5%, £1,250, 3.5 days."""
        if number is None:
            return ""
        number = Decimal(number)
        text = (
            f"{number:,.2f}".rstrip("0").rstrip(".") if number != number.to_integral() else f"{number:,.0f}"
        )
        if self.unit == self.Unit.PERCENTAGE:
            return f"{text}%"
        if self.unit == self.Unit.CURRENCY:
            return f"£{text}" if number >= 0 else f"-£{text[1:]}"
        if self.unit in (self.Unit.DAYS, self.Unit.HOURS):
            word = "day" if self.unit == self.Unit.DAYS else "hour"
            return f"{text} {word}" + ("" if number == 1 else "s")
        return text


class IndicatorTarget(models.Model):
    """An indicator's target for a financial year, or for one quarter where it changes
    during the year (a quarter's target overrides its year's), with the amber tolerance."""

    class Tolerance(models.TextChoices):
        ABSOLUTE = "absolute", "Absolute (in the indicator's unit)"
        SHARE = "share", "Share of the target (%)"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(help_text="Financial year by its start (2022 is 2022/23).")
    quarter = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty for the whole year; 1 to 4 where it changes in the year."
    )
    target = models.DecimalField(**VALUE_DIGITS)
    tolerance = models.DecimalField(**VALUE_DIGITS, default=0, help_text="How far from target is amber.")
    tolerance_kind = models.CharField(max_length=10, choices=Tolerance.choices, default=Tolerance.ABSOLUTE)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"], condition=Q(quarter__isnull=True), name="one_target_per_year"
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "quarter"],
                condition=Q(quarter__isnull=False),
                name="one_target_per_quarter",
            ),
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) | Q(quarter__gte=1, quarter__lte=4),
                name="target_quarter_1_to_4",
            ),
            models.CheckConstraint(condition=Q(tolerance__gte=0), name="target_tolerance_not_negative"),
            models.CheckConstraint(condition=Q(year__gte=1900, year__lte=2999), name="target_year_in_range"),
        ]

    def __str__(self):
        return f"{self.indicator.code} target {self.period_label}: {self.target}"

    @property
    def period_label(self) -> str:
        if self.quarter:
            return Quarter(self.year, self.quarter).label
        return financial_year_label(self.year)

    def clean(self):
        from actionplan import window

        if self.indicator_id and self.indicator.is_activity:
            raise ValidationError("An activity indicator has no target: it is context only.")
        # A locked quarter's scorecard never changes: its targets are fixed with it.
        locked = window.locked_up_to()
        first = Quarter(self.year, self.quarter or 1) if self.year else None
        if locked is not None and first is not None and first <= locked:
            raise ValidationError(
                f"{first.label} is locked because it has been reported to the board: "
                "its targets can no longer change."
            )


class ValueQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Indicator values are never edited: record a new value instead.")

    def delete(self):
        raise PermissionError("Indicator values are never deleted: record a new value instead.")


class IndicatorValue(models.Model):
    """One period's actual, recorded by the indicator's owner. Append-only: a correction
    is a new value, and the latest recorded for a period is the one that counts."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    period_end = models.DateField(help_text="The last day of the month, quarter or year the value is for.")
    partner = models.ForeignKey(
        "themes.PartnerAuthority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_values",
        help_text="Leave empty for the whole service.",
    )
    actual = models.DecimalField(**VALUE_DIGITS)
    numerator = models.DecimalField(**VALUE_DIGITS, null=True, blank=True)
    denominator = models.DecimalField(**VALUE_DIGITS, null=True, blank=True)
    commentary = models.TextField(
        blank=True,
        max_length=UPDATE_TEXT_LIMITS["commentary"],
        validators=[MaxLengthValidator(UPDATE_TEXT_LIMITS["commentary"])],
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="indicator_values"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = ValueQuerySet.as_manager()
    # Append-only, so its history is one row per value: the audit trail lists them with the rest.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_end", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(numerator__isnull=True, denominator__isnull=True)
                | Q(numerator__isnull=False, denominator__isnull=False, denominator__gt=0),
                name="value_numerator_with_denominator",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "partner", "period_end", "created_at"], name="value_lookup"),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.period.label}: {self.actual}"

    @property
    def period(self) -> Period:
        return Period.ending(self.period_end, self.indicator.frequency)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Indicator values are never edited: record a new value instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Indicator values are never deleted: record a new value instead.")


class ValueReminder(models.Model):
    """One e-mail about values owed: to an owner before they are due, or to an administrator
    when they are late. Claimed by inserting this row before sending, as reminders.Reminder
    is: the unique constraint (one per person, step and due day) means a job run twice, or two
    workers at once, send one e-mail."""

    class Step(models.TextChoices):
        BEFORE = "before", "Reminder before the values are due"
        LATE = "late", "Escalation: values late"

    # The same states as the update reminders (reminders.Reminder.State).
    State = models.TextChoices(
        "State",
        [
            ("PENDING", ("pending", "Waiting to send")),
            ("SENDING", ("sending", "Sending")),
            ("SENT", ("sent", "Sent")),
            ("FAILED", ("failed", "Failed")),
            ("SKIPPED", ("skipped", "Not needed (values received)")),
        ],
    )

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=8, choices=Step.choices)
    due_on = models.DateField(help_text="The day the values it is about were due.")
    email = models.EmailField(help_text="The address it was sent to.")
    indicators = models.ManyToManyField(Indicator, related_name="reminders", blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "step", "due_on"], name="one_value_reminder_per_due_day"
            ),
        ]

    def __str__(self):
        return f"{self.get_step_display()} to {self.recipient} for values due {self.due_on:%-d %B %Y}"
