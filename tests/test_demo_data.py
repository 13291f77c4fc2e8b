import datetime

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import User
from actionplan.models import Action, ActionPlan, ProgressUpdate, QuarterLock
from core.quarters import Quarter, quarters_between
from demo.loader import DEMO_TODAY, board_report_on, build_specs
from themes.models import PartnerAuthority, Strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo_data", verbosity=0)


def test_demo_loads_twice_without_duplicates(demo):
    counts = (Action.objects.count(), ProgressUpdate.objects.count(), User.objects.count())
    call_command("load_demo_data", verbosity=0)
    assert (Action.objects.count(), ProgressUpdate.objects.count(), User.objects.count()) == counts


def test_demo_shape(demo):
    assert set(PartnerAuthority.objects.values_list("short_name", flat=True)) == {"MBC", "SBC", "TWBC"}
    active = Strategy.objects.get(status="active")
    assert active.themes.count() == 6
    assert Strategy.objects.get(title="ICT Strategy 2013-2018").status == "closed"
    statuses = dict(active.plans.values_list("year", "status"))
    assert statuses == {2019: "approved", 2020: "approved", 2021: "approved", 2022: "approved", 2023: "draft"}
    for plan in ActionPlan.objects.filter(strategy=active):
        assert 30 <= plan.actions.count() <= 60
    assert Action.objects.filter(carried_forward_from__isnull=False).exists()
    assert not ProgressUpdate.objects.filter(action__plan__year=2023).exists()
    assert QuarterLock.objects.filter(period=20222).exists()


def test_demo_story(demo):
    updates = ProgressUpdate.objects.all()
    assert updates.filter(rag="red").exists()
    assert updates.filter(status="completed").count() > updates.filter(rag="red").count()
    assert updates.exclude(revised_due_date=None).exists()
    assert updates.exclude(partner=None).exists()
    assert not updates.filter(created_at__date__gt=DEMO_TODAY).exists()
    # 2022/23 Q3 updates are only partly in at the demo date.
    current = Action.objects.filter(plan__year=2022)
    with_q3 = current.filter(updates__period=20223).distinct().count()
    assert 0 < with_q3 < current.count()
    # The denormalised "latest" pointer agrees with the end-of-quarter rule.
    from actionplan import selectors

    for state in selectors.action_states(current, quarter=None):
        assert state.update == selectors.action_state(state.action, quarter=DEMO_QUARTER).update


DEMO_QUARTER = __import__("core.quarters", fromlist=["Quarter"]).Quarter(2022, 4)


@pytest.mark.parametrize("username", ["admin", "officer", "officer2", "councillor", "board"])
def test_demo_accounts_sign_in(demo, username):
    from django.test import RequestFactory

    request = RequestFactory().post("/accounts/login/")
    user = authenticate(request, username=username, password="demo-portal-2019")
    assert user is not None and user.username == username
    assert user.groups.exists() or user.is_superuser  # a role: the account reaches the portal


def test_demo_officers_lead_actions(demo):
    assert Action.objects.filter(lead_officer__username="officer").count() >= 5
    assert Action.objects.filter(lead_officer__username="officer2").count() >= 5
    assert User.objects.get(username="officer").partner.short_name == "MBC"
    assert User.objects.get(username="officer2").partner.short_name == "SBC"


def test_scale_multiplies_actions():
    assert len(build_specs(scale=3)) == 3 * len(build_specs(scale=1))


def test_refuses_in_production(settings):
    from django.core.management.base import CommandError

    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("load_demo_data", verbosity=0)
    assert not User.objects.exists()


def test_demo_lock_is_dated_inside_the_demo_timeline(demo):
    lock = QuarterLock.objects.get(period=20222)
    assert lock.locked_at.date() == datetime.date(2022, 10, 17)
    assert lock.locked_at.date() < DEMO_TODAY


def test_no_update_is_dated_after_the_lock_of_its_quarter(demo):
    """A lock covers its quarter and every one before: an update entered after it would have
    been refused, so the demo's history has none."""
    locks = list(QuarterLock.objects.order_by("period"))
    assert locks
    updates = ProgressUpdate.objects.values_list("period", "created_at")
    locked = [(period, at) for period, at in updates if period <= locks[-1].period]
    assert any(period == locks[-1].period for period, _ in locked)
    for period, created_at in locked:
        lock = next(lock for lock in locks if lock.period >= period)
        assert created_at < lock.locked_at, (period, created_at, lock.locked_at)


def test_each_reported_quarter_is_locked_when_its_board_report_went(demo):
    from reminders.calendar import quarter_dates

    locks = list(QuarterLock.objects.order_by("period"))
    # Every quarter from the strategy's first to the last one reported, each with its own date.
    assert [lock.period for lock in locks] == [
        q.code for q in quarters_between(Quarter(2019, 1), Quarter(2022, 2))
    ]
    for lock in locks:
        dates = quarter_dates(Quarter.from_code(lock.period))
        assert lock.locked_at.date() == dates.board_report_on
        assert dates.escalation_on <= lock.locked_at.date() < DEMO_TODAY


def test_each_quarters_updates_come_in_before_its_board_report():
    """As reminders and escalation chase them: the quarter-end update 3 days after the quarter
    at the earliest, every one before the day its board report went."""
    updates = [u for spec in build_specs() for u in spec.updates]
    for update in updates:
        quarter = Quarter.from_code(update.period)
        assert update.created_at.date() < board_report_on(quarter), (update.period, update.created_at)
    after_the_quarter = [u.created_at.date() - Quarter.from_code(u.period).last_day for u in updates]
    assert min(d for d in after_the_quarter if d.days > 0).days == 3
