"""The demo data: Mid Kent Services' ICT Strategy 2019-2024, illustrated.

Deterministic (seeded) and idempotent: loading twice adds nothing the second time.
The plans are hand-written (demo/plans.py) and their updates written for their own
figures (demo/story.py, from the sentences in demo/words.py): most actions complete on
time, some slip (revised dates with reasons), some go red and recover, the unfinished
ones are carried forward into the next year's plan, one council runs behind the
others on about one multi-council action in ten, and at the demo date (16 January
2023) the 2022/23 Q3 updates are only partly in. Each quarter's updates come in before
its board report (reminders.calendar), and every quarter reported is locked on that
day, so no update postdates its quarter's lock and a rebuilt report of any past
quarter carries its own board report's date. The reminders sent and the board reports
built and sent for those quarters are there too (demo/history.py).
`scale` multiplies the actions of every plan for benchmarks.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from actionplan import derived
from actionplan.models import Action, ActionPlan, ProgressUpdate, QuarterLock
from core.quarters import Quarter, year_quarters
from demo import catalogue as cat
from demo import history
from demo import indicators as demo_indicators
from demo import risks as demo_risks
from demo.story import DEMO_TODAY, PLAN_YEARS, ActionSpec, UpdateSpec, board_report_on, build_specs
from reporting.models import Recipient
from themes.models import PartnerAuthority, Strategy, Theme

ACTIVE_TITLE = "ICT Strategy 2019-2024"
APPROVED_YEARS = [2019, 2020, 2021, 2022]
# Quarters reported to the board (and so locked) by the demo date.
LAST_LOCKED = Quarter(2022, 2)
# The quarter whose updates are coming in at the demo date.
CURRENT_QUARTER = LAST_LOCKED.next()

__all__ = ["DEMO_TODAY", "ActionSpec", "UpdateSpec", "board_report_on", "build_specs", "load"]


def load(*, scale: int = 1, reports: bool = True, log=print) -> dict[str, int]:
    """Load the demo; returns counts of what was created.

    `reports`: build and send every locked quarter's board report (a few seconds each);
    only at scale 1, as a benchmark's copies would make each report hundreds of pages.
    """
    with transaction.atomic():
        partners = _partners()
        users = _people(partners)
        strategy = _strategies()
        _sign_off_setup(strategy, users["manager"])
        plans = _plans(strategy)
        _recipients()
        specs = build_specs(scale=scale)
        created = _write(specs, strategy, plans, users, partners, log)
        # Indicators and risks come before the locks, so each reported quarter holds them.
        # indicators demo
        created["indicator_values"] = demo_indicators.load(strategy, users, partners, scale=scale)
        # risks demo
        created["risks"] = demo_risks.load(strategy, users, scale=scale)
        for quarter in [q for q in _all_quarters() if q <= LAST_LOCKED]:
            # Each reported quarter was locked when its board report went, inside the
            # demo's timeline (a report of a locked quarter prints its own lock's date),
            # after every update for it came in.
            locked_at = timezone.make_aware(
                datetime.datetime.combine(board_report_on(quarter), datetime.time(9))
            )
            QuarterLock.objects.get_or_create(
                period=quarter.code,
                defaults={
                    "locked_by": users["admin"],
                    "reason": "Reported to the board",
                    "locked_at": locked_at,
                },
            )
        created["reminders"] = history.reminders(strategy, up_to=LAST_LOCKED, log=log)
    created["reports"] = 0
    if reports and scale == 1:
        created["reports"] = history.board_reports(strategy, users["admin"], up_to=LAST_LOCKED, log=log)
    elif reports:
        log("Board reports are built at scale 1 only.")
    return created


def _sign_off_setup(strategy, manager) -> None:
    """Sign-off is on in the demo, and the manager approves every theme's updates."""
    if not strategy.updates_need_sign_off:
        strategy.updates_need_sign_off = True
        strategy.save(update_fields=["updates_need_sign_off", "updated_at"])
    for theme in strategy.themes.all():
        theme.approvers.add(manager)


def _sign_offs(updates: list[ProgressUpdate], users) -> dict[str, int]:
    """The manager's decisions on the demo's updates: every one of a reported quarter
    approved a day or two after it came in (and before the quarter was locked); in
    2022/23 Q3, the quarter being reported, about a third of those in still await sign-off
    and two were returned to their authors with a reason."""
    from simple_history.utils import bulk_create_with_history

    from actionplan.models import SignOff

    manager = users["manager"]
    current = [u for u in updates if u.period == CURRENT_QUARTER.code and u.partner_id is None]
    current.sort(key=lambda u: (u.created_at, u.pk))
    # One of each demo officer's Q3 updates went back to them, so each sees a "Returned" to put right.
    officers = [users["officer"].pk, users["officer2"].pk]
    theirs = [next((u for u in current[1:] if u.author_id == pk), None) for pk in officers]
    returned = {u.pk: reason for u, reason in zip(theirs, cat.RETURN_REASONS, strict=True) if u is not None}
    waiting = {u.pk for u in current[::3]} - set(returned)
    rows = []
    for update in updates:
        if update.pk in waiting:
            continue
        quarter = Quarter.from_code(update.period)
        latest = timezone.make_aware(datetime.datetime.combine(board_report_on(quarter), datetime.time(8)))
        if quarter > LAST_LOCKED:
            latest = timezone.make_aware(datetime.datetime.combine(DEMO_TODAY, datetime.time(8)))
        decided = min(update.created_at + datetime.timedelta(days=1, hours=2), latest)
        decided = max(decided, update.created_at + datetime.timedelta(minutes=30))
        reason = returned.get(update.pk, "")
        rows.append(
            SignOff(
                update=update,
                decision=SignOff.Decision.RETURNED if reason else SignOff.Decision.APPROVED,
                reason=reason,
                decided_by=manager,
                decided_at=decided,
            )
        )
    bulk_create_with_history(rows, SignOff, batch_size=2000, default_user=manager)
    return {"approved": len(rows) - len(returned), "pending": len(waiting), "returned": len(returned)}


def _all_quarters() -> list[Quarter]:
    return [q for year in PLAN_YEARS for q in year_quarters(year)]


def _partners() -> dict[str, PartnerAuthority]:
    result = {}
    for name, short, slug in cat.PARTNERS:
        result[short], _ = PartnerAuthority.objects.get_or_create(
            short_name=short, defaults={"name": name, "slug": slug}
        )
    return result


def _people(partners) -> dict[str, User]:
    result = {}
    demo_accounts = {"admin", "officer", "officer2", "councillor", "board", "manager"}
    for username, first, last, title, partner, role in cat.PEOPLE:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "job_title": title,
                "partner": partners[partner],
                "email": f"{username}@portal.example.org",
                "is_staff": role == "Administrator",
            },
        )
        if created:
            if username in demo_accounts:
                user.set_password(cat.DEMO_PASSWORD)
            else:
                user.set_unusable_password()  # lead officers who never sign in to the demo
            user.save()
        user.groups.add(Group.objects.get(name=role))
        result[username] = user
    return result


def _strategies() -> Strategy:
    old, _ = Strategy.objects.get_or_create(
        title="ICT Strategy 2013-2018",
        defaults={
            "first_year": 2013,
            "last_year": 2017,
            "status": Strategy.Status.CLOSED,
            "approved_on": datetime.date(2013, 3, 20),
            "approved_by": "Mid Kent Improvement Partnership Board",
            "summary": "The partnership's first shared ICT strategy.",
        },
    )
    for number, (title, summary) in enumerate(cat.THEMES_2013, start=1):
        Theme.objects.get_or_create(
            strategy=old, number=number, defaults={"title": title, "summary": summary}
        )
    active, _ = Strategy.objects.get_or_create(
        title=ACTIVE_TITLE,
        defaults={
            "first_year": 2019,
            "last_year": 2023,
            "status": Strategy.Status.ACTIVE,
            "approved_on": datetime.date(2019, 3, 27),
            "approved_by": "Maidstone Borough Council Policy and Resources Committee",
            "summary": "Approved after the Corporate Leadership Team on 19 March 2019. "
            "Groups what the partners asked for into six themes.",
        },
    )
    for number, (title, summary) in enumerate(cat.THEMES_2019, start=1):
        Theme.objects.get_or_create(
            strategy=active, number=number, defaults={"title": title, "summary": summary}
        )
    return active


def _plans(strategy) -> dict[int, ActionPlan]:
    plans = {}
    for year in PLAN_YEARS:
        approved = year in APPROVED_YEARS
        plans[year], _ = ActionPlan.objects.get_or_create(
            strategy=strategy,
            year=year,
            defaults={
                "status": ActionPlan.Status.APPROVED if approved else ActionPlan.Status.DRAFT,
                "approved_on": datetime.date(year, 3, 27) if approved else None,
                "notes": "Appendix A of the strategy." if year == 2019 else "",
            },
        )
    return plans


def _recipients():
    for name, email, role in cat.RECIPIENTS:
        Recipient.objects.get_or_create(email=email, defaults={"name": name, "role": role})


# --- writing ---------------------------------------------------------------


def _write(specs, strategy, plans, users, partners, log) -> dict[str, int]:
    themes = {t.number: t for t in strategy.themes.all()}
    existing = {
        (year, ref): pk
        for pk, year, ref in Action.objects.filter(plan__strategy=strategy).values_list(
            "pk", "plan__year", "reference"
        )
    }
    new_specs = [s for s in specs if (s.year, s.reference) not in existing]
    if not new_specs:
        log("Demo data already loaded: nothing to add.")
        return {"actions": 0, "updates": 0}

    actions: dict[tuple[int, str], Action] = {}
    now = timezone.now()
    for year in PLAN_YEARS:
        batch = []
        for s in (s for s in new_specs if s.year == year):
            action = Action(
                plan=plans[year],
                theme=themes[s.theme],
                reference=s.reference,
                title=s.title,
                lead_officer=users[s.lead],
                start_date=s.start,
                due_date=s.due,
                priority=s.priority,
                description=s.description,
                created_at=now,
            )
            if s.carried_from:
                action.carried_forward_from_id = (
                    actions[s.carried_from].pk if s.carried_from in actions else existing.get(s.carried_from)
                )
            actions[(year, s.reference)] = action
            batch.append(action)
        Action.objects.bulk_create(batch, batch_size=1000)
    log(f"Created {len(actions)} actions.")

    through = Action.partners.through
    through.objects.bulk_create(
        [
            through(action_id=actions[(s.year, s.reference)].pk, partnerauthority_id=partners[p].pk)
            for s in new_specs
            for p in s.partners
        ],
        batch_size=5000,
    )
    updates = [
        ProgressUpdate(
            action_id=actions[(s.year, s.reference)].pk,
            period=u.period,
            status=u.status,
            rag=u.rag,
            percent_complete=u.percent,
            commentary=u.commentary,
            next_steps=u.next_steps,
            revised_due_date=u.revised_due_date,
            revision_reason=u.revision_reason,
            author=users[u.author],
            partner=partners[u.partner] if u.partner else None,
            created_at=u.created_at,
            # The strategy's sign-off is on: each was submitted, then approved (see _sign_offs).
            needs_sign_off=True,
        )
        for s in new_specs
        for u in s.updates
    ]
    ProgressUpdate.objects.bulk_create(updates, batch_size=5000)
    log(f"Created {len(updates)} progress updates.")
    signed = _sign_offs(updates, users)
    log(
        f"Signed off {signed['approved']} updates; {signed['pending']} await sign-off, "
        f"{signed['returned']} returned."
    )
    # Bulk writes send no signals: the derived state (latest update, quarter states) is refreshed once.
    rows = derived.refresh(Action.objects.filter(pk__in=[a.pk for a in actions.values()]))
    log(f"Recorded {rows} quarter states.")
    return {"actions": len(actions), "updates": len(updates)}
