from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Mod
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from simple_history.models import HistoricalRecords

from core import clock
from core.models import TimeStampedModel
from core.quarters import Quarter, financial_year_label, year_quarters


def by_reference(prefix: str = "", *, descending: bool = False) -> list:
    """Order by action reference as people read it: 1.2 before 1.10.

    Shorter references first, then as text, which sorts the "theme.number" references
    councils use naturally without parsing them. `prefix` reaches the reference
    through a relation ("action__"); the terms go into order_by().
    """
    field = f"{prefix}reference"
    if descending:
        return [Length(field).desc(), F(field).desc()]
    return [Length(field).asc(), F(field).asc()]


def reference_sort_key(reference: str) -> tuple[int, str]:
    """by_reference for lists sorted in Python."""
    return (len(reference), reference)


class ActionPlan(TimeStampedModel):
    """One strategy's plan for one UK financial year."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        CLOSED = "closed", "Closed"

    strategy = models.ForeignKey("themes.Strategy", on_delete=models.PROTECT, related_name="plans")
    year = models.PositiveSmallIntegerField(
        help_text="Financial year by its starting calendar year (2019 is 2019/20)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["strategy", "year"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "year"], name="one_plan_per_year"),
        ]

    def __str__(self):
        return f"{self.strategy} action plan {self.year_label}"

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)

    @property
    def year_and_status_label(self) -> str:
        """ "2022/23", or "2023/24 (draft)" for a plan not approved: how a plan is named
        wherever one is chosen."""
        if self.status == self.Status.APPROVED:
            return self.year_label
        return f"{self.year_label} ({self.get_status_display().lower()})"

    @property
    def quarters(self) -> list[Quarter]:
        return year_quarters(self.year)

    def clean(self):
        if self.strategy_id and self.year not in self.strategy.years:
            raise ValidationError(
                {"year": f"{self.year_label} is outside the strategy's years ({self.strategy.period_label})."}
            )


class Action(TimeStampedModel):
    class Priority(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="actions")
    theme = models.ForeignKey("themes.Theme", on_delete=models.PROTECT, related_name="actions")
    reference = models.CharField(max_length=20, help_text="Unique within the plan, e.g. 3.2.")
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_actions"
    )
    partners = models.ManyToManyField(
        "themes.PartnerAuthority",
        related_name="actions",
        help_text="The partner authorities this action serves.",
    )
    start_date = models.DateField()
    due_date = models.DateField()
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    carried_forward_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_forward_to",
        help_text="The unfinished action of an earlier plan this continues.",
    )
    # Denormalised pointer to the current overall state, kept by actionplan.derived.refresh
    # with the quarter states, so lists need no subquery for "now".
    latest_update = models.ForeignKey(
        "ProgressUpdate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    history = HistoricalRecords(excluded_fields=["latest_update", "updated_at"])

    class Meta:
        ordering = ["plan", "theme__number", *by_reference()]
        constraints = [
            models.UniqueConstraint(fields=["plan", "reference"], name="reference_unique_in_plan"),
            models.CheckConstraint(condition=Q(due_date__gte=F("start_date")), name="action_due_after_start"),
        ]
        indexes = [models.Index(fields=["lead_officer", "plan"])]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return f"/actions/{self.pk}/"

    def clean(self):
        errors = {}
        if self.plan_id and self.theme_id and self.theme.strategy_id != self.plan.strategy_id:
            errors["theme"] = "The theme must belong to the plan's strategy."
        if self.start_date and self.due_date and self.due_date < self.start_date:
            errors["due_date"] = "The due date must not be before the start date."
        if errors:
            raise ValidationError(errors)


class ProgressQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Progress updates are never edited: add a new update instead.")

    def delete(self):
        raise PermissionError("Progress updates are never deleted: add a new update instead.")


# How long an update's texts may be: the model, the service (actionplan.services), the
# form's hints and the API's serializer all read these. Bounded so that one update cannot
# make the board report that quotes it thousands of pages long.
UPDATE_TEXT_LIMITS = {"commentary": 10_000, "next_steps": 10_000, "revision_reason": 5_000}


def _bounded_text(name: str) -> models.TextField:
    limit = UPDATE_TEXT_LIMITS[name]
    return models.TextField(blank=True, max_length=limit, validators=[MaxLengthValidator(limit)])


class ProgressUpdate(models.Model):
    """An officer's report on one action for one quarter. Append-only."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        DEFERRED = "deferred", "Deferred"
        CANCELLED = "cancelled", "Cancelled"

    class Rag(models.TextChoices):
        GREEN = "green", "Green"
        AMBER = "amber", "Amber"
        RED = "red", "Red"
        BLUE = "blue", "Blue (completed)"

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    partner = models.ForeignKey(
        "themes.PartnerAuthority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_updates",
        help_text="Leave empty for an update on the whole action.",
    )
    period = models.PositiveIntegerField(
        help_text="The quarter reported on, as year*10+quarter (20193 is 2019/20 Q3)."
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    rag = models.CharField("RAG", max_length=6, choices=Rag.choices)
    percent_complete = models.PositiveSmallIntegerField()
    commentary = _bounded_text("commentary")
    next_steps = _bounded_text("next_steps")
    revised_due_date = models.DateField(null=True, blank=True)
    revision_reason = _bounded_text("revision_reason")
    no_change = models.BooleanField(
        default=False, help_text="The officer confirmed nothing changed since the last update."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="progress_updates"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    # Set when it is added, from its strategy's setting: it counts only once approved
    # (SignOff). Updates added while sign-off was off count at once, whatever happens later.
    needs_sign_off = models.BooleanField(default=False, editable=False)

    objects = ProgressQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "-created_at", "-id"]
        get_latest_by = ["period", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__gte=0) & Q(percent_complete__lte=100),
                name="percent_between_0_and_100",
            ),
            models.CheckConstraint(
                condition=Q(period__gte=19001, period__lte=29994)
                & Q(GreaterThanOrEqual(Mod("period", 10), 1))
                & Q(LessThanOrEqual(Mod("period", 10), 4)),
                name="period_is_a_quarter",
            ),
            models.CheckConstraint(
                condition=~Q(rag__in=["amber", "red"]) | ~Q(commentary=""),
                name="commentary_required_for_amber_red",
            ),
            models.CheckConstraint(
                condition=Q(revised_due_date__isnull=True) | ~Q(revision_reason=""),
                name="revised_date_needs_reason",
            ),
            models.CheckConstraint(
                condition=(Q(status="completed") & Q(rag="blue") & Q(percent_complete=100))
                | (~Q(status="completed") & ~Q(rag="blue")),
                name="completed_is_blue_and_100",
            ),
        ]
        indexes = [
            models.Index(fields=["action", "partner", "period", "created_at"], name="update_state_lookup"),
            models.Index(fields=["period"], name="update_period"),
        ]

    def __str__(self):
        return f"{self.action.reference} {self.quarter.label} ({self.get_rag_display()})"

    @property
    def quarter(self) -> Quarter:
        return Quarter.from_code(self.period)

    @property
    def sign_off_state(self) -> str:
        """ "counted", "pending" or "returned" (actionplan.rules.sign_off_state)."""
        from actionplan import rules

        decision = self.sign_off.decision if hasattr(self, "sign_off") else None
        return rules.sign_off_state(self.needs_sign_off, decision)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Progress updates are never edited: add a new update instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Progress updates are never deleted: add a new update instead.")

    @property
    def due_date(self):
        return self.revised_due_date or self.action.due_date


class SignOff(models.Model):
    """An approver's decision on a submitted update: approved, or returned to its author with
    a reason. One per update and never changed: a returned update stays in the history,
    marked returned, and its author submits a corrected one (actionplan.services.update_decide)."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

    update = models.OneToOneField(ProgressUpdate, on_delete=models.PROTECT, related_name="sign_off")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=clock.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "sign-off decision"
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="returned") | ~Q(reason=""), name="returned_sign_off_has_reason"
            ),
        ]

    def __str__(self):
        # Read from the row's own columns (the audit page builds it from the history row).
        text = f"{self.get_decision_display()} progress update {self.update_id}"
        return f"{text}: {self.reason}" if self.reason else text


class QuarterLock(models.Model):
    """A reported quarter. Once locked, no update can be added for it or before it."""

    period = models.PositiveIntegerField(unique=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    locked_at = models.DateTimeField(default=clock.now)
    reason = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period"]

    def __str__(self):
        return f"{self.quarter.label} locked"

    @property
    def quarter(self) -> Quarter:
        return Quarter.from_code(self.period)


class ActionQuarterState(models.Model):
    """Derived: each action's state at the end of each quarter of its plan's year.

    One row per action for each of its plan year's four quarters, and one per
    partner it serves, whether or not it has been reported (`update` is then
    empty and the row says "not started, not yet reported"). Each row copies the
    figures a dashboard counts (status, RAG, % complete, due date, slippage, the
    status a quarter earlier), so every dashboard figure is one grouped query on
    this table, with no join to the updates and no subquery per action. A
    partner's row is already resolved: its latest partner update, else the
    overall state; the whole action's row (partner empty) is the roll-up of its
    partners' rows (actionplan.rules.roll_up), keeping its overall update.
    The rule itself lives in actionplan.rules (state_key, state_at);
    actionplan.derived.refresh keeps the rows (actionplan.signals calls it when an
    action, its partners or its updates change) and `manage.py rebuild_quarter_states`
    rebuilds them all.
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="quarter_states")
    # No single-column indexes on partner, plan and theme: the composite indexes
    # below lead with partner and plan, and a planner offered the single ones
    # picks them over the covering ones.
    partner = models.ForeignKey(
        "themes.PartnerAuthority",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    period = models.PositiveIntegerField()
    # Copied from the action so the dashboard filters and groups without a join.
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="+", db_index=False)
    theme = models.ForeignKey("themes.Theme", on_delete=models.CASCADE, related_name="+", db_index=False)
    # Copied too, so lists sort by (due date, theme number, reference) without joins.
    theme_number = models.PositiveSmallIntegerField()
    reference = models.CharField(max_length=20)
    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, null=True, blank=True, related_name="quarter_states"
    )
    update_period = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ProgressUpdate.Status.choices)
    rag = models.CharField("RAG", max_length=12, help_text='A RAG rating, or "not_reported".')
    percent_complete = models.PositiveSmallIntegerField()
    due_date = models.DateField(help_text="The state's due date: its revised date, else the action's.")
    slip_days = models.IntegerField(help_text="Days the due date moved from the action's original date.")
    previous_status = models.CharField(
        max_length=12, blank=True, help_text="The status at the end of the quarter before (blank: none)."
    )
    received = models.BooleanField(
        default=False,
        help_text="On the whole action's row: an overall update for this quarter was given "
        "(submitted, or counted) and not returned.",
    )
    partners_differ = models.BooleanField(
        default=False,
        help_text="On the whole action's row: its councils' states differ; its figures are the worst.",
    )

    class Meta:
        constraints = [
            # Two conditional constraints: NULL partners are distinct on PostgreSQL.
            models.UniqueConstraint(
                fields=["action", "period"], condition=Q(partner__isnull=True), name="one_state_per_quarter"
            ),
            models.UniqueConstraint(
                fields=["action", "partner", "period"],
                condition=Q(partner__isnull=False),
                name="one_partner_state_per_quarter",
            ),
        ]
        indexes = [
            # Covers a plan's picture: tallies read the index alone, never the table.
            models.Index(
                fields=[
                    "plan",
                    "period",
                    "partner",
                    "theme",
                    "status",
                    "rag",
                    "due_date",
                    "slip_days",
                    "percent_complete",
                    "partners_differ",
                    "action",
                ],
                name="quarter_state_picture",
            ),  # fmt: skip
            # Covers the trend: RAG counts per quarter, for all actions or one partner.
            models.Index(fields=["partner", "period", "rag", "plan"], name="quarter_state_trend"),
        ]

    def __str__(self):
        return f"{self.action_id} {self.period} -> {self.update_id}"
