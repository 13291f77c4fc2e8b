"""The risk register: strategic risks, their further actions, score bands and quarterly reviews.

A risk's current score is never stored on the risk: it is its latest counted review at
or before the quarter asked about (risks.rules.review_at), so the register of any past
quarter is the same query as today's.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Mod
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from simple_history.models import HistoricalRecords

from core import clock
from core.models import TimeStampedModel
from core.quarters import Quarter

LEVELS = (1, 2, 3, 4, 5)


def _level(verbose_name: str, **kwargs) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose_name, validators=[MinValueValidator(1), MaxValueValidator(5)], **kwargs
    )


def _level_checks(prefix: str, *fields: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(condition=Q(**{f"{f}__gte": 1, f"{f}__lte": 5}), name=f"{prefix}_{f}_1_to_5")
        for f in fields
    ]


# How long a review's texts may be, as actionplan.models.UPDATE_TEXT_LIMITS for updates:
# the model, the service, the form's hints and the API's serializer all read these.
REVIEW_TEXT_LIMITS = {"controls": 10_000, "commentary": 10_000}


def _bounded_text(name: str, verbose_name: str, **kwargs) -> models.TextField:
    limit = REVIEW_TEXT_LIMITS[name]
    return models.TextField(
        verbose_name, blank=True, max_length=limit, validators=[MaxLengthValidator(limit)], **kwargs
    )


class ScoreBand(models.Model):
    """One band of scores for a strategy's risks (risks.rules.DEFAULT_BANDS when it has none)."""

    class Level(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    strategy = models.ForeignKey("themes.Strategy", on_delete=models.CASCADE, related_name="risk_bands")
    level = models.CharField(max_length=10, choices=Level.choices)
    lowest = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(25)])
    highest = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(25)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["strategy", "lowest"]
        verbose_name = "risk score band"
        constraints = [
            models.UniqueConstraint(fields=["strategy", "level"], name="one_band_per_level"),
            models.CheckConstraint(
                condition=Q(lowest__gte=1, highest__lte=25) & Q(highest__gte=F("lowest")),
                name="band_scores_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.get_level_display()}: {self.lowest} to {self.highest}"

    def clean(self):
        if self.lowest and self.highest and self.highest < self.lowest:
            raise ValidationError({"highest": "The highest score must not be below the lowest."})
        if not self.strategy_id or not self.lowest or not self.highest:
            return
        overlapping = ScoreBand.objects.filter(
            strategy_id=self.strategy_id, lowest__lte=self.highest, highest__gte=self.lowest
        ).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(f"The band overlaps {overlapping.first()}: a score has one band.")


class Risk(TimeStampedModel):
    """A strategic risk under a theme, scored on a 5x5 likelihood x impact matrix."""

    class ReviewFrequency(models.TextChoices):
        QUARTERLY = "quarterly", "Every quarter"
        HALF_YEARLY = "half_yearly", "Every six months"
        ANNUALLY = "annually", "Every year"

    strategy = models.ForeignKey("themes.Strategy", on_delete=models.PROTECT, related_name="risks")
    theme = models.ForeignKey("themes.Theme", on_delete=models.PROTECT, related_name="risks")
    reference = models.CharField(max_length=20, help_text="Unique within the strategy, e.g. R3.")
    title = models.CharField(max_length=255)
    cause = models.TextField(help_text="What could make it happen.")
    event = models.TextField(help_text="What would happen.")
    consequence = models.TextField(help_text="What it would mean for the councils and residents.")
    mitigating_actions = models.ManyToManyField(
        "actionplan.Action", blank=True, related_name="mitigated_risks", help_text="Actions that reduce it."
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_risks")
    existing_controls = models.TextField(
        blank=True, help_text="The controls in place when the risk was identified; reviews record them after."
    )
    appetite = models.PositiveSmallIntegerField(
        "risk appetite",
        validators=[MinValueValidator(1), MaxValueValidator(25)],
        help_text="The highest score the councils accept for this risk (1 to 25).",
    )
    review_frequency = models.CharField(
        max_length=12, choices=ReviewFrequency.choices, default=ReviewFrequency.QUARTERLY
    )
    inherent_likelihood = _level("inherent likelihood", help_text="Before any controls.")
    inherent_impact = _level("inherent impact", help_text="Before any controls.")
    target_likelihood = _level("target likelihood", help_text="Once the further actions are done.")
    target_impact = _level("target impact", help_text="Once the further actions are done.")
    identified_on = models.DateField(
        default=clock.today, help_text="The register as at a quarter ending before this leaves it out."
    )
    closed_on = models.DateField(
        null=True, blank=True, help_text="No longer managed: the registers of later quarters leave it out."
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["strategy", "theme__number", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "reference"], name="risk_reference_unique"),
            models.CheckConstraint(
                condition=Q(appetite__gte=1, appetite__lte=25), name="risk_appetite_1_to_25"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("identified_on")),
                name="risk_closed_after_identified",
            ),
            *_level_checks(
                "risk", "inherent_likelihood", "inherent_impact", "target_likelihood", "target_impact"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return f"/risks/{self.pk}/"

    @property
    def inherent_score(self) -> int:
        return self.inherent_likelihood * self.inherent_impact

    @property
    def target_score(self) -> int:
        return self.target_likelihood * self.target_impact

    @property
    def first_quarter(self) -> Quarter:
        return Quarter.containing(self.identified_on)

    def clean(self):
        errors = {}
        if self.strategy_id and self.theme_id and self.theme.strategy_id != self.strategy_id:
            errors["theme"] = "The theme must belong to the risk's strategy."
        if self.closed_on and self.identified_on and self.closed_on < self.identified_on:
            errors["closed_on"] = "A risk cannot be closed before it was identified."
        if None not in (
            self.target_likelihood,
            self.target_impact,
            self.inherent_likelihood,
            self.inherent_impact,
        ):
            if self.target_score > self.inherent_score:
                errors["target_impact"] = "The target score must not be above the inherent score."
        if errors:
            raise ValidationError(errors)


class FurtherAction(TimeStampedModel):
    """Something still to be done to bring a risk to its target, with an owner and a date."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="further_actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["risk", "due_date", "pk"]

    def __str__(self):
        return self.description[:80]


class ReviewQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Risk reviews are never edited: add a new review instead.")

    def delete(self):
        raise PermissionError("Risk reviews are never deleted: add a new review instead.")


class RiskReview(models.Model):
    """The owner's assessment of a risk for one quarter. Append-only: a correction is a new review."""

    class Effectiveness(models.TextChoices):
        EFFECTIVE = "effective", "Effective"
        PARTIAL = "partial", "Partially effective"
        INEFFECTIVE = "ineffective", "Not effective"

    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="reviews")
    period = models.PositiveIntegerField(
        help_text="The quarter reviewed, as year*10+quarter (20223 is 2022/23 Q3)."
    )
    likelihood = _level("likelihood")
    impact = _level("impact")
    control_effectiveness = models.CharField(max_length=12, choices=Effectiveness.choices)
    controls = _bounded_text("controls", "controls in place")
    commentary = _bounded_text("commentary", "commentary")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risk_reviews"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    # From the strategy's sign-off setting when added: it counts only once approved.
    needs_sign_off = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords()

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "-created_at", "-id"]
        constraints = [
            *_level_checks("review", "likelihood", "impact"),
            models.CheckConstraint(
                condition=Q(period__gte=19001, period__lte=29994)
                & Q(GreaterThanOrEqual(Mod("period", 10), 1))
                & Q(LessThanOrEqual(Mod("period", 10), 4)),
                name="review_period_is_a_quarter",
            ),
        ]
        indexes = [models.Index(fields=["risk", "period", "created_at"], name="review_state_lookup")]

    def __str__(self):
        # Read from the row's own columns (the audit page builds it from the history row).
        return f"Risk review {self.pk}: {self.quarter.label}, score {self.score}"

    @property
    def quarter(self) -> Quarter:
        return Quarter.from_code(self.period)

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def sign_off_state(self) -> str:
        """ "counted", "pending" or "returned" (actionplan.rules.sign_off_state)."""
        from actionplan import rules

        decision = self.sign_off.decision if hasattr(self, "sign_off") else None
        return rules.sign_off_state(self.needs_sign_off, decision)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Risk reviews are never edited: add a new review instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Risk reviews are never deleted: add a new review instead.")


class ReviewSignOff(models.Model):
    """An approver's decision on a submitted risk review, as actionplan.models.SignOff for updates."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

    review = models.OneToOneField(RiskReview, on_delete=models.PROTECT, related_name="sign_off")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=clock.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "risk review sign-off decision"
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="returned") | ~Q(reason=""), name="returned_review_has_reason"
            ),
        ]

    def __str__(self):
        text = f"{self.get_decision_display()} risk review {self.review_id}"
        return f"{text}: {self.reason}" if self.reason else text


class ReviewReminder(models.Model):
    """One e-mail of one reminder step (reminders.models.Reminder.Step) to one person about
    the risk reviews they owe for one quarter, claimed (inserted) before it is sent: the
    unique constraint makes a second run of the step find it and send nothing."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not needed (reviews received)"

    strategy = models.ForeignKey("themes.Strategy", on_delete=models.CASCADE, related_name="review_reminders")
    period = models.PositiveIntegerField(help_text="The quarter the reviews are for.")
    step = models.CharField(
        max_length=12, help_text="first, due or escalation (reminders.models.Reminder.Step)."
    )
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(help_text="The address it was sent to.")
    risks = models.ManyToManyField(Risk, related_name="reminders", blank=True)
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
                fields=["strategy", "recipient", "period", "step"], name="one_review_reminder_per_step"
            ),
        ]

    def __str__(self):
        return f"{self.step} review reminder to {self.recipient} for {Quarter.from_code(self.period).label}"
