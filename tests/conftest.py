"""Fixtures named after the people who use the portal, and the helpers several test modules share."""

import datetime

import pytest
from django.utils import timezone

from accounts import roles
from accounts.factories import UserFactory
from actionplan import services
from actionplan.factories import ActionFactory, PlanFactory
from core.quarters import Quarter
from themes.factories import PartnerFactory, StrategyFactory, ThemeFactory

DEMO_DAY = datetime.date(2023, 1, 16)
# The reporting quarter on the demo day: 2022/23 Q3's updates are coming in.
Q3 = Quarter(2022, 3)


def at(y, m, d):
    """An aware moment on a day (10am), for an update's created_at."""
    return timezone.make_aware(datetime.datetime(y, m, d, 10))


def update_draft(**answers) -> services.UpdateDraft:
    """An update's answers as services take them: for 2022/23 Q3, in progress, green and
    50% complete unless `answers` say otherwise."""
    return services.UpdateDraft(
        **{"quarter": Q3, "status": "in_progress", "rag": "green", "percent_complete": 50, **answers}
    )


def add_update(action, author, *, seen_update_id=None, check_version=True, **answers):
    """Add an update through the service, as the form and the API do (answers: update_draft's)."""
    return services.update_create(
        action=action,
        author=author,
        draft=update_draft(**answers),
        seen_update_id=seen_update_id,
        check_version=check_version,
    )


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
def earlier_action(strategy, theme, officer, maidstone):
    """An action of the 2021/22 plan, still approved, with nothing locked yet."""
    from actionplan.models import ActionPlan

    plan = PlanFactory(strategy=strategy, year=2021, status=ActionPlan.Status.APPROVED)
    return ActionFactory(plan=plan, theme=theme, lead_officer=officer, reference="9.1", partners=[maidstone])


@pytest.fixture
def fast_pdf(monkeypatch):
    """A stand-in renderer for tests about the board report, not its PDF: the same HTML gives
    the same bytes."""
    import hashlib

    from reporting import services as reporting_services
    from reporting.pdf import Rendered

    def render(html):
        return Rendered(b"%PDF-1.7 stand-in " + hashlib.sha256(html.encode()).hexdigest().encode(), 1)

    monkeypatch.setattr(reporting_services, "render", render)


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


# --- risks: the route matrix's placeholders (tests/security/test_route_matrix.py) ---


@pytest.fixture
def risk_placeholders(strategy, theme, officer):
    """{risk}: a risk the officer owns, with one counted review; {review}: the officer's
    review of it, awaiting sign-off."""
    from risks.factories import ReviewFactory, RiskFactory

    risk = RiskFactory(strategy=strategy, theme=theme, owner=officer, reference="R1")
    ReviewFactory(risk=risk, period=20222)
    submitted = ReviewFactory(risk=risk, period=20223, needs_sign_off=True)
    return {"risk": risk.pk, "review": submitted.pk}
