"""Password rules per ASVS 2.1: length, passphrases, common passwords, no rotation."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

pytestmark = pytest.mark.django_db


def _errors(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


def test_eleven_characters_are_too_few():
    assert "password_too_short" in _errors("tr0ub4dor&3")


def test_twelve_characters_are_enough():
    assert _errors("tr0ub4dor&3x") == []


def test_a_long_passphrase_with_spaces_and_unicode_is_accepted():
    passphrase = "the quick brown fox jumps over the lazy dog at Maidstone café 2023!"
    assert len(passphrase) >= 64
    assert _errors(passphrase) == []


def test_128_characters_allowed_129_refused():
    assert _errors("correct horse battery staple " * 4 + "x" * 12) == []
    assert "password_too_long" in _errors("z" * 129)


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop123", "123456789012"])
def test_common_passwords_are_refused(password):
    codes = _errors(password)
    assert "password_too_common" in codes or "password_entirely_numeric" in codes


def test_password_like_the_username_is_refused(officer):
    officer.username = "priya.sharma.maidstone"
    assert "password_too_similar" in _errors("priya.sharma.maidstone", officer)


def test_no_forced_rotation_or_composition_rules():
    # ASVS 2.1.9 and 2.1.10: no composition rules, no periodic expiry.
    names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "MaximumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    assert _errors("all lower case words here") == []
