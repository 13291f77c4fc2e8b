import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import User
from actionplan import rules
from actionplan.models import Action, ActionPlan, ProgressUpdate, QuarterLock
from core.quarters import Quarter, quarters_between
from demo.loader import DEMO_TODAY, LAST_LOCKED, board_report_on, build_specs
from reminders.models import Reminder
from themes.models import PartnerAuthority, Strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo_data", verbosity=0, reports=False)


def test_demo_loads_twice_without_duplicates(demo):
    counts = (
        Action.objects.count(),
        ProgressUpdate.objects.count(),
        User.objects.count(),
        Reminder.objects.count(),
    )
    call_command("load_demo_data", verbosity=0, reports=False)
    assert (
        Action.objects.count(),
        ProgressUpdate.objects.count(),
        User.objects.count(),
        Reminder.objects.count(),
    ) == counts


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
        call_command("load_demo_data", verbosity=0, reports=False)
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
    assert min(d for d in after_the_quarter if d.days > 0).days >= 3


# --- Believable: the demo reads like a real council's plan -------------------------------
#
# Each check is a function over plain rows that returns what breaks it, so the tests below
# run it on the demo and test_the_checks_catch_what_they_look_for runs it on rows that
# break it: a check that cannot fail would pass on anything.

PERCENT = re.compile(r"(\d+)\s*(?:%|per\s*cent)", re.IGNORECASE)


@dataclass
class Row:
    """One update with what the checks read: its action's plan, reference, title and dates."""

    year: int
    reference: str
    title: str
    description: str
    due_date: datetime.date
    partners: int
    period: int
    partner: str | None
    status: str
    rag: str
    percent: int
    commentary: str
    next_steps: str
    revised_due_date: datetime.date | None
    revision_reason: str


def demo_rows() -> list[Row]:
    partners = {a.pk: a.partners.count() for a in Action.objects.prefetch_related("partners")}
    return [
        Row(
            year=u.action.plan.year,
            reference=u.action.reference,
            title=u.action.title,
            description=u.action.description,
            due_date=u.action.due_date,
            partners=partners[u.action_id],
            period=u.period,
            partner=u.partner.short_name if u.partner else None,
            status=u.status,
            rag=u.rag,
            percent=u.percent_complete,
            commentary=u.commentary,
            next_steps=u.next_steps,
            revised_due_date=u.revised_due_date,
            revision_reason=u.revision_reason,
        )
        for u in ProgressUpdate.objects.select_related("action__plan", "partner")
    ]


def placeholders(texts) -> list[str]:
    return [t for t in texts if "{" in t or "}" in t or "Illustrative demo action" in t or "(phase" in t]


def duplicate_titles(actions) -> list[tuple]:
    """(year, title) pairs that appear twice in one plan; `actions` are (year, title)."""
    counts = Counter(actions)
    return [key for key, n in counts.items() if n > 1]


def closed_at_risk(rows) -> list[Row]:
    """Cancelled, deferred or completed, yet amber or red."""
    closed = (rules.Status.CANCELLED, rules.Status.DEFERRED, rules.Status.COMPLETED)
    return [r for r in rows if r.status in closed and r.rag in (rules.Rag.AMBER, rules.Rag.RED)]


def completed_not_whole(rows) -> list[Row]:
    return [
        r
        for r in rows
        if (r.status == rules.Status.COMPLETED) != (r.percent == 100 and r.rag == rules.Rag.BLUE)
        and (r.status == rules.Status.COMPLETED or r.rag == rules.Rag.BLUE)
    ]


def wrong_percent(rows) -> list[Row]:
    """Commentary or next steps giving a % complete other than the update's."""
    return [
        r for r in rows if any(int(n) != r.percent for n in PERCENT.findall(f"{r.commentary} {r.next_steps}"))
    ]


def green_overdue(rows) -> list[Row]:
    """Green, still being delivered, and past its (revised) due date at its quarter's end."""
    return [
        r
        for r in rows
        if r.rag == rules.Rag.GREEN
        and rules.is_overdue(
            rules.due_date(r.due_date, r.revised_due_date), r.status, Quarter.from_code(r.period).last_day
        )
    ]


def missing_commentary(rows) -> list[Row]:
    return [r for r in rows if r.rag in (rules.Rag.AMBER, rules.Rag.RED) and not r.commentary.strip()]


def shared_slip_reasons(rows) -> list[tuple]:
    """(year, reason) given by two different actions of one plan."""
    actions = defaultdict(set)
    for r in rows:
        if r.revision_reason:
            actions[(r.year, r.revision_reason)].add(r.reference)
    return [key for key, refs in actions.items() if len(refs) > 1]


def repeated_green_commentary(rows) -> list[tuple]:
    """(year, commentary) written word for word on two green updates of one plan."""
    counts = Counter((r.year, r.commentary) for r in rows if r.rag == rules.Rag.GREEN and r.commentary)
    return [key for key, n in counts.items() if n > 1]


def partners_differ_share(rows) -> dict[int, float]:
    """Per plan year with updates: the share of multi-council actions with partner updates."""
    multi, differ = defaultdict(set), defaultdict(set)
    for r in rows:
        if r.partners > 1:
            multi[r.year].add(r.reference)
            if r.partner:
                differ[r.year].add(r.reference)
    return {year: len(differ[year]) / len(refs) for year, refs in multi.items()}


def bad_partner_updates(rows) -> list[Row]:
    """A council's update above 100%, or on an action serving only one council."""
    return [r for r in rows if r.partner and (r.percent > 100 or r.partners < 2)]


def test_no_placeholders_or_boilerplate_anywhere(demo):
    texts = [t for a in Action.objects.all() for t in (a.title, a.description)]
    texts += [t for r in demo_rows() for t in (r.commentary, r.next_steps, r.revision_reason)]
    assert all(t.strip() for t in Action.objects.values_list("description", flat=True))
    assert placeholders(texts) == []


def test_titles_are_unique_within_each_plan(demo):
    assert duplicate_titles(Action.objects.values_list("plan__year", "title")) == []


def test_carried_forward_actions_keep_their_title_and_are_the_years_unfinished(demo):
    carried = Action.objects.filter(carried_forward_from__isnull=False).select_related("carried_forward_from")
    assert carried.count() >= 5
    for action in carried:
        old = action.carried_forward_from
        assert action.title == old.title
        assert action.plan.year == old.plan.year + 1
        assert old.latest_update.status != "completed", action.reference
    # Every action of a finished year still open at its end went on into the next plan.
    for year in (2019, 2020, 2021):
        for action in Action.objects.filter(plan__year=year).select_related("latest_update"):
            if action.latest_update and action.latest_update.status == "in_progress":
                assert hasattr(action, "carried_forward_to"), (year, action.reference)


def test_updates_are_written_for_their_own_figures(demo):
    rows = demo_rows()
    assert rows
    assert closed_at_risk(rows) == []
    assert completed_not_whole(rows) == []
    assert wrong_percent(rows) == []
    assert missing_commentary(rows) == []
    assert any(PERCENT.search(r.commentary) for r in rows)  # some do give their figure


def test_no_green_update_is_overdue_at_its_quarters_end(demo):
    assert green_overdue(demo_rows()) == []


def test_slip_reasons_and_green_commentary_are_not_repeated_in_a_plan(demo):
    rows = demo_rows()
    assert shared_slip_reasons(rows) == []
    assert repeated_green_commentary(rows) == []
    slipped = {(r.year, r.reference) for r in rows if r.revised_due_date}
    assert len(slipped) >= 10


def test_councils_differ_on_about_one_multi_council_action_in_ten(demo):
    rows = demo_rows()
    shares = partners_differ_share(rows)
    assert set(shares) == {2019, 2020, 2021, 2022}
    for year, share in shares.items():
        assert 0.05 <= share <= 0.20, (year, share)
    assert bad_partner_updates(rows) == []


def test_a_council_behind_says_why_and_completes_only_when_it_is_done(demo):
    from actionplan import selectors

    plan = ActionPlan.objects.get(year=2021)
    differing = [a for a in plan.actions.all() if a.updates.exclude(partner=None).exists()]
    assert differing
    for action in differing:
        for update in action.updates.exclude(partner=None).select_related("partner"):
            place = {"MBC": "Maidstone", "SBC": "Swale", "TWBC": "Tunbridge Wells"}[update.partner.short_name]
            assert place in update.commentary, update.commentary
        # At the year's end the action is complete at every council, the late one included.
        state = selectors.action_state(action, quarter=Quarter(2021, 4))
        assert state.update.status == "completed"


def test_the_checks_catch_what_they_look_for():
    good = Row(
        year=2022,
        reference="1.1",
        title="Upgrade laptops to Windows 11",
        description="Upgrade every laptop.",
        due_date=datetime.date(2022, 9, 30),
        partners=3,
        period=20221,
        partner=None,
        status="in_progress",
        rag="green",
        percent=40,
        commentary="The pilot is under way; 40% done overall.",
        next_steps="Start the rollout.",
        revised_due_date=None,
        revision_reason="",
    )
    assert not any(
        check([good])
        for check in (closed_at_risk, completed_not_whole, wrong_percent, green_overdue, missing_commentary)
    )
    assert placeholders(["All {unit} delivered", "Replace the CRM (phase 2)"]) == [
        "All {unit} delivered",
        "Replace the CRM (phase 2)",
    ]
    assert duplicate_titles([(2019, "A"), (2019, "A"), (2020, "A")]) == [(2019, "A")]
    assert closed_at_risk([replace(good, status="cancelled", rag="amber", percent=95)])
    assert completed_not_whole([replace(good, status="completed", rag="green", percent=100)])
    assert completed_not_whole([replace(good, status="completed", rag="blue", percent=90)])
    assert wrong_percent([replace(good, commentary="About 60 per cent done.")])
    assert green_overdue([replace(good, period=20223)])
    assert not green_overdue([replace(good, period=20223, revised_due_date=datetime.date(2023, 3, 31))])
    assert missing_commentary([replace(good, rag="red", commentary=" ")])
    late = replace(good, revised_due_date=datetime.date(2023, 3, 31), revision_reason="Supplier delay.")
    assert shared_slip_reasons([late, replace(late, reference="1.2")]) == [(2022, "Supplier delay.")]
    assert shared_slip_reasons([late, late]) == []  # one action's updates repeat its own reason
    assert repeated_green_commentary([good, replace(good, reference="1.2")])
    assert partners_differ_share([good, replace(good, partner="SBC"), replace(good, reference="1.2")]) == {
        2022: 0.5
    }
    assert bad_partner_updates([replace(good, partner="SBC", partners=1)])


# --- the story the rest of the suite relies on ---------------------------------------------


def test_reporting_quarter_updates_are_partly_in(demo):
    from actionplan import selectors

    strategy = Strategy.objects.get(status="active")
    received, expected = selectors.update_returns(quarter=Quarter(2022, 3), strategy=strategy)
    assert 0.55 <= received / expected <= 0.70, (received, expected)


@pytest.mark.parametrize("username", ["officer", "officer2"])
def test_each_demo_officer_has_a_full_picture_in_2022(demo, username):
    from actionplan import selectors

    mine = Action.objects.filter(lead_officer__username=username, plan__year=2022)
    assert mine.count() >= 5
    officer = User.objects.get(username=username)
    rows = selectors.led_actions(officer, quarter=Quarter(2022, 3)).rows
    assert any(row.update_due for row in rows)  # some still owe their Q3 update
    updates = ProgressUpdate.objects.filter(action__in=mine)
    assert updates.filter(rag="red").exists()
    assert updates.filter(status="completed").exists()
    assert updates.exclude(revised_due_date=None).exists()
    assert mine.filter(carried_forward_from__isnull=False).exists()


def test_reminders_led_up_to_each_reported_quarter(demo):
    from reminders.calendar import quarter_dates

    for quarter in quarters_between(Quarter(2019, 1), LAST_LOCKED):
        dates = quarter_dates(quarter)
        sent = Reminder.objects.filter(period=quarter.code)
        assert sent.filter(step="first").exists(), quarter
        assert set(sent.values_list("state", flat=True)) == {"sent"}
        for reminder in sent:
            assert reminder.day == {"first": dates.first_reminder_on, "due": dates.due_on}.get(
                reminder.step, dates.escalation_on
            )
            assert reminder.sent_at.date() == reminder.day < dates.board_report_on
            assert reminder.actions.exists()
    # Each reminder lists updates that really were still missing when it went.
    for reminder in Reminder.objects.filter(step="due").prefetch_related("actions")[:50]:
        for action in reminder.actions.all():
            early = action.updates.filter(
                period=reminder.period, partner=None, created_at__lt=reminder.sent_at
            )
            assert not early.exists(), (reminder, action.reference)
    # Nothing after the demo date: the due-day reminders of 2022/23 Q3 are today's job.
    assert not Reminder.objects.filter(day__gte=DEMO_TODAY).exists()
    assert Reminder.objects.filter(period=20223, step="first").exists()


@pytest.mark.django_db
def test_every_locked_quarter_has_its_board_report_sent(client, mailoutbox):
    """The one load with reports: 14 PDFs through the real build and send."""
    from reporting.models import BoardReport

    call_command("load_demo_data", verbosity=0)
    reports = BoardReport.objects.order_by("period")
    assert [r.period for r in reports] == [q.code for q in quarters_between(Quarter(2019, 1), LAST_LOCKED)]
    recipients = 4
    for report in reports:
        assert report.state == "sent" and report.has_pdf and report.page_count
        assert report.pdf.storage.exists(report.pdf.name)
        day = board_report_on(report.quarter)
        assert report.requested_at.date() == report.built_at.date() == report.sent_at.date() == day
        lock = QuarterLock.objects.get(period=report.period)
        assert report.built_at < lock.locked_at < report.sent_at
        deliveries = list(report.deliveries.all())
        assert len(deliveries) == recipients
        assert {d.state for d in deliveries} == {"sent"} and {d.sent_at for d in deliveries} == {
            report.sent_at
        }
    assert len(mailoutbox) == recipients * reports.count()
    assert all(m.attachments for m in mailoutbox)
    # Idempotent: a second load builds and sends nothing.
    call_command("load_demo_data", verbosity=0)
    assert BoardReport.objects.count() == reports.count()
    assert len(mailoutbox) == recipients * reports.count()
    # The board member sees them all and can download a past one.
    client.force_login(User.objects.get(username="board"))
    page = client.get("/reports/")
    assert page.status_code == 200
    listed = page.content.decode()
    for report in reports:
        assert report.quarter.label in listed
    first = reports.first()
    download = client.get(f"/reports/{first.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
