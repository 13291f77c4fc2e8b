"""Password rules beyond Django's own (ASVS 2.1.1-2.1.3).

Long passphrases are welcome (Django sets no upper limit), but a cap stops a
megabyte-long "password" from costing a PBKDF2 run its length in CPU.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


class MaximumLengthValidator:
    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max_length)d character.",
                    "This password is too long. It must contain at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self):
        return f"Up to {self.max_length} characters: a passphrase of several words is best."
