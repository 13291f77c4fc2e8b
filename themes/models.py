from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from core.quarters import Quarter, financial_year_label, quarters_between


class PartnerAuthority(TimeStampedModel):
    """A council in the partnership. An action serves one or more."""

    name = models.CharField(max_length=150, unique=True)
    short_name = models.CharField(max_length=20, unique=True, help_text="For example MBC.")
    slug = models.SlugField(unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "partner authorities"

    def __str__(self):
        return self.name


class Strategy(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=200)
    first_year = models.PositiveSmallIntegerField(
        help_text="First financial year, by its starting calendar year (2019 is 2019/20)."
    )
    last_year = models.PositiveSmallIntegerField(help_text="Last financial year.")
    approved_on = models.DateField(null=True, blank=True)
    approved_by = models.CharField(max_length=200, blank=True, help_text="The committee that approved it.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(blank=True)
    updates_need_sign_off = models.BooleanField(
        "Updates need sign-off",
        default=False,
        help_text="Officers' updates count only once an approver (not their author) has approved them.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-first_year"]
        verbose_name_plural = "strategies"
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")), name="strategy_years_in_order"
            ),
            models.UniqueConstraint(fields=["title"], name="strategy_title_unique"),
        ]

    def __str__(self):
        return self.title

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    @property
    def period_label(self) -> str:
        return f"{financial_year_label(self.first_year)} to {financial_year_label(self.last_year)}"

    def quarters(self, *, up_to: Quarter | None = None) -> list[Quarter]:
        """The strategy's quarters in order, from its first to `up_to` (default its last) included."""
        last = Quarter(self.last_year, 4)
        return quarters_between(Quarter(self.first_year, 1), min(up_to, last) if up_to else last)


class Theme(TimeStampedModel):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="themes")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="approved_themes",
        help_text="Who signs off updates to this theme's actions (administrators always may).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["strategy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="theme_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="theme_number_positive"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"
