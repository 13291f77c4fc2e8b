"""Fixtures named after the people who use the portal."""

import datetime

import pytest

from accounts import roles
from accounts.factories import UserFactory
from actionplan.factories import ActionFactory, PlanFactory
from themes.factories import PartnerFactory, StrategyFactory, ThemeFactory

DEMO_DAY = datetime.date(2023, 1, 16)


@pytest.fixture(autouse=True)
def _portal_date(settings, tmp_path):
    """Freeze the portal's clock at the demo date; keep files out of var/."""
    settings.PORTAL_TODAY = DEMO_DAY.isoformat()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Hashing is deliberately slow in production; tests make hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start every test with an empty cache: rolled-back tests reuse ids, and the
    dashboard's cache keys are made of ids."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def maidstone(db):
    return PartnerFactory(short_name="MBC", name="Maidstone Borough Council", slug="maidstone")


@pytest.fixture
def swale(db):
    return PartnerFactory(short_name="SBC", name="Swale Borough Council", slug="swale")


@pytest.fixture
def strategy(db):
    return StrategyFactory(title="ICT Strategy 2019-2024")


@pytest.fixture
def theme(strategy):
    return ThemeFactory(strategy=strategy, number=1, title="Modern workforce")


@pytest.fixture
def plan(strategy):
    return PlanFactory(strategy=strategy, year=2022)


@pytest.fixture
def administrator(db):
    return UserFactory(username="head-of-ict", role=roles.ADMINISTRATOR)


@pytest.fixture
def officer(maidstone):
    return UserFactory(username="priya", role=roles.OFFICER, partner=maidstone)


@pytest.fixture
def colleague(swale):
    """An officer at another council, who leads other actions."""
    return UserFactory(username="gareth", role=roles.OFFICER, partner=swale)


@pytest.fixture
def councillor(db):
    return UserFactory(username="cllr-morris", role=roles.COMMITTEE_MEMBER)


@pytest.fixture
def board_member(db):
    return UserFactory(username="board-clarke", role=roles.BOARD_MEMBER)


@pytest.fixture
def stranger(db):
    """Signed in, but with no role in the portal."""
    return UserFactory(username="no-role")


@pytest.fixture
def action(plan, theme, officer, maidstone, swale):
    return ActionFactory(
        plan=plan, theme=theme, lead_officer=officer, reference="1.1", partners=[maidstone, swale]
    )
