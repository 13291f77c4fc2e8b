from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A person who signs in: officer, councillor, board member or administrator.

    What they may do comes from their groups (see accounts.roles) and is answered
    by accounts.access.
    """

    job_title = models.CharField(max_length=150, blank=True)
    partner = models.ForeignKey(
        "themes.PartnerAuthority",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        help_text="The council this person works for, if any.",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
