from django.conf import settings
from django.db import models

from core import clock


class SignOffDigest(models.Model):
    """The one e-mail an approver gets in a day about what awaits their sign-off.

    The row is claimed (inserted) before the e-mail is sent: the unique constraint
    makes a second run of the day's job find it and send nothing.
    """

    class State(models.TextChoices):
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(default=clock.today)
    waiting = models.PositiveIntegerField(help_text="Updates awaiting their sign-off when it was sent.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SENDING)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="one_digest_a_day")]

    def __str__(self):
        return f"Sign-off digest to {self.recipient} on {self.day}"
