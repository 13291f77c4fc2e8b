"""The demo data: Mid Kent Services' ICT Strategy 2019-2024, illustrated.

Deterministic (seeded) and idempotent: loading twice adds nothing the second time.
The story: most actions complete on time, some slip (revised dates with reasons),
some go red and recover, a few are carried forward into the next year's plan, and
at the demo date (16 January 2023) the 2022/23 Q3 updates are only partly in.
Each quarter's updates come in before its board report (reminders.calendar), and every
quarter reported is locked on that day, so no update postdates its quarter's lock and a
rebuilt report of any past quarter carries its own board report's date.
`scale` multiplies the actions of every plan for benchmarks.
"""

from __future__ import annotations

import datetime
import functools
import random
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from actionplan import derived
from actionplan.models import Action, ActionPlan, ProgressUpdate, QuarterLock
from core.quarters import Quarter, quarters_between, year_quarters
from demo import catalogue as cat
from reminders.calendar import quarter_dates
from reporting.models import Recipient
from themes.models import PartnerAuthority, Strategy, Theme

DEMO_TODAY = datetime.date(2023, 1, 16)
ACTIVE_TITLE = "ICT Strategy 2019-2024"
PLAN_YEARS = [2019, 2020, 2021, 2022, 2023]
APPROVED_YEARS = [2019, 2020, 2021, 2022]
ACTIONS_PER_THEME = 8
# Quarters reported to the board (and so locked) by the demo date.
LAST_LOCKED = Quarter(2022, 2)
# Share of 2022/23 Q3 updates already in at the demo date.
Q3_RECEIVED_SHARE = 0.6

S, R = ProgressUpdate.Status, ProgressUpdate.Rag


@dataclass
class UpdateSpec:
    period: int
    status: str
    rag: str
    percent: int
    commentary: str
    next_steps: str
    created_at: datetime.datetime
    author: str
    partner: str | None = None
    revised_due_date: datetime.date | None = None
    revision_reason: str = ""


@dataclass
class ActionSpec:
    year: int
    reference: str
    theme: int
    title: str
    unit: str
    lead: str
    partners: list[str]
    start: datetime.date
    due: datetime.date
    priority: str
    carried_from: tuple[int, str] | None = None
    start_percent: int = 0
    updates: list[UpdateSpec] = field(default_factory=list)
    carry_forward: bool = False


def load(*, scale: int = 1, log=print) -> dict[str, int]:
    """Load the demo; returns counts of what was created."""
    with transaction.atomic():
        partners = _partners()
        users = _people(partners)
        strategy = _strategies()
        plans = _plans(strategy)
        _recipients()
        specs = build_specs(scale=scale)
        created = _write(specs, strategy, plans, users, partners, log)
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
    return created


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
    demo_accounts = {"admin", "officer", "officer2", "councillor", "board"}
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


# --- the story -------------------------------------------------------------


def build_specs(*, scale: int = 1) -> list[ActionSpec]:
    """Every demo action with its updates, in plan-year order. Pure and seeded."""
    specs: list[ActionSpec] = []
    for copy in range(scale):
        carried: list[ActionSpec] = []
        for year in PLAN_YEARS:
            rng = random.Random(f"demo-{copy}-{year}")
            year_specs = _year_actions(rng, year, copy, carried)
            for spec in year_specs:
                _simulate(random.Random(f"{copy}-{year}-{spec.reference}"), spec)
            carried = [s for s in year_specs if s.carry_forward]
            specs.extend(year_specs)
    return specs


def _suffix(copy: int) -> str:
    return "" if copy == 0 else f"-{copy:03d}"


def _year_actions(rng, year, copy, carried) -> list[ActionSpec]:
    result = []
    counters = {t: 0 for t in range(1, 7)}
    for old in carried:
        counters[old.theme] += 1
        result.append(
            ActionSpec(
                year=year,
                reference=f"{old.theme}.{counters[old.theme]}{_suffix(copy)}",
                theme=old.theme,
                title=old.title,
                unit=old.unit,
                lead=old.lead,
                partners=old.partners,
                start=datetime.date(year, 4, 1),
                due=Quarter(year, rng.choice([1, 2])).last_day,
                priority=old.priority,
                carried_from=(old.year, old.reference),
                start_percent=old.updates[-1].percent if old.updates else 0,
            )
        )
    offset = (year - 2019) * 3
    for theme, catalogue in cat.ACTIONS.items():
        while counters[theme] < ACTIONS_PER_THEME:
            index = (offset + counters[theme]) % len(catalogue)
            title, unit, lead = catalogue[index]
            if year > 2019 and (offset + counters[theme]) >= len(catalogue):
                title = f"{title} (phase 2)"
            counters[theme] += 1
            start_q = rng.choice([1, 1, 1, 2])
            due_q = min(4, start_q + rng.choice([2, 2, 3, 3]))
            partners = rng.choice([["MBC", "SBC", "TWBC"]] * 4 + [["MBC"], ["SBC"], ["TWBC"], ["MBC", "SBC"]])
            if rng.random() < 0.2:
                lead = rng.choice(["officer", "officer2", "lbennett", "nhussain"])
            result.append(
                ActionSpec(
                    year=year,
                    reference=f"{theme}.{counters[theme]}{_suffix(copy)}",
                    theme=theme,
                    title=title,
                    unit=unit,
                    lead=lead,
                    partners=list(partners),
                    start=Quarter(year, start_q).first_day,
                    due=Quarter(year, due_q).last_day,
                    priority=rng.choice(["high", "medium", "medium", "low"]),
                )
            )
    return result


def _last_reported(year: int) -> Quarter | None:
    if year >= 2023:
        return None
    return Quarter(year, 4) if year < 2022 else Quarter(2022, 3)


@functools.cache
def board_report_on(quarter: Quarter) -> datetime.date:
    """The day the quarter's board report went, and the quarter was locked: the reminders
    calendar's default (BOARD_REPORT_DAYS_AFTER_QUARTER days after the quarter, not before
    late updates are escalated)."""
    return quarter_dates(quarter).board_report_on


def _when(rng, quarter: Quarter, *, late_in_quarter=False) -> datetime.datetime:
    if late_in_quarter:
        day = quarter.last_day - datetime.timedelta(days=rng.randint(0, 12))
    else:
        # A quarter-end update comes in from 3 days after the quarter ends to the day
        # before its board report, which locks the quarter: reminders and escalation
        # chase the late ones in by then. The draw over 3-20 days is spread over that
        # span, so every later draw, and so the rest of the seeded story, is unchanged.
        latest = (board_report_on(quarter) - quarter.last_day).days - 1
        drawn = rng.randint(3, 20)
        day = quarter.last_day + datetime.timedelta(days=3 + (drawn - 3) * (latest - 3) // 17)
    day = min(day, DEMO_TODAY)
    naive = datetime.datetime.combine(day, datetime.time(rng.randint(8, 17), rng.randint(0, 59)))
    return timezone.make_aware(naive)


def _simulate(rng, spec: ActionSpec) -> None:
    """Write the action's quarterly story into spec.updates."""
    last = _last_reported(spec.year)
    if last is None:
        return
    profile = rng.choices(["smooth", "slip", "red_recover", "stuck", "cancel"], weights=[55, 20, 12, 8, 5])[0]
    start_q = Quarter.containing(spec.start)
    due_q = Quarter.containing(spec.due)
    year_end = Quarter(spec.year, 4)
    finish_q = due_q
    if profile in ("slip", "red_recover"):
        finish_q = Quarter.from_code(due_q.code)
        for _ in range(rng.choice([1, 1, 2])):
            finish_q = finish_q.next()
    if profile == "stuck":
        finish_q = year_end.next()
    quarters = [q for q in quarters_between(start_q, year_end) if q <= last]
    if spec.year == 2022:
        # Only part of the 2022/23 Q3 updates are in at the demo date.
        if rng.random() > Q3_RECEIVED_SHARE:
            quarters = [q for q in quarters if q < Quarter(2022, 3)]
    percent = spec.start_percent
    revised = None
    total = max(1, len(quarters_between(start_q, finish_q)))
    trouble_at = rng.randint(0, max(0, total - 2))
    multi_partner = len(spec.partners) > 1 and rng.random() < 0.5
    for i, q in enumerate(quarters):
        author = spec.lead if rng.random() > 0.1 else "admin"
        done_q = q >= finish_q and profile not in ("stuck", "cancel")
        if done_q:
            _add(spec, rng, q, S.COMPLETED, R.BLUE, 100, rng.choice(cat.COMPLETED_NOTES), "", author, revised)
            if multi_partner:
                for partner in spec.partners[1:]:
                    _add(
                        spec,
                        rng,
                        q,
                        S.COMPLETED,
                        R.BLUE,
                        100,
                        "Completed for this partner too.",
                        "",
                        author,
                        revised,
                        partner=partner,
                    )
            return
        step = (100 - percent) // max(1, total - i)
        percent = min(95, percent + max(5, step + rng.randint(-5, 5)))
        status, rag = S.IN_PROGRESS, R.GREEN
        notes, next_steps = cat.GREEN_NOTES, rng.choice(cat.NEXT_STEPS)
        reason = ""
        if profile == "slip" and i >= trouble_at and revised is None:
            rag, notes = R.AMBER, cat.AMBER_NOTES
            revised, reason = finish_q.last_day, rng.choice(cat.SLIP_REASONS)
        elif profile == "red_recover" and i == trouble_at:
            rag, notes = R.RED, cat.RED_NOTES
        elif profile == "red_recover" and i == trouble_at + 1:
            rag, notes = R.AMBER, cat.AMBER_NOTES
            revised, reason = finish_q.last_day, rng.choice(cat.SLIP_REASONS)
        elif profile == "stuck" and i >= trouble_at:
            rag = R.RED if i > trouble_at else R.AMBER
            notes = cat.RED_NOTES if rag == R.RED else cat.AMBER_NOTES
        elif profile == "cancel" and i >= 1:
            _add(
                spec,
                rng,
                q,
                S.CANCELLED,
                R.AMBER,
                percent,
                "Cancelled by the Shared Services Board: superseded by a national solution.",
                "",
                author,
                revised,
            )
            return
        if profile == "stuck" and q == year_end and spec.year < 2022:
            spec.carry_forward = True
            status = S.DEFERRED
            _add(
                spec,
                rng,
                q,
                status,
                rag,
                percent,
                f"Carried forward into the {spec.year + 1}/{(spec.year + 2) % 100:02d} "
                "action plan. " + rng.choice(cat.RED_NOTES).format(done=percent, unit=spec.unit),
                next_steps,
                author,
                revised,
            )
            return
        commentary = rng.choice(notes).format(done=f"{percent}% of", unit=spec.unit)
        if rng.random() < 0.6:
            # An interim update during the quarter, superseded by the quarter-end one.
            _add(
                spec,
                rng,
                q,
                status,
                R.GREEN if rag == R.BLUE else rag,
                max(0, percent - 5),
                commentary,
                next_steps,
                author,
                revised,
                late=True,
                reason=reason if revised else "",
            )
        _add(
            spec,
            rng,
            q,
            status,
            rag,
            percent,
            commentary,
            next_steps,
            author,
            revised,
            reason=reason if revised else "",
        )
        if multi_partner and i >= 1:
            # Delivery differs for the other partners: each has its own, later state.
            for partner in spec.partners[1:]:
                _add(
                    spec,
                    rng,
                    q,
                    S.IN_PROGRESS,
                    R.AMBER,
                    max(0, percent - 20),
                    rng.choice(cat.PARTNER_NOTES).format(partner=partner),
                    next_steps,
                    author,
                    revised,
                    partner=partner,
                    reason=reason if revised else "",
                )


def _add(
    spec,
    rng,
    q,
    status,
    rag,
    percent,
    commentary,
    next_steps,
    author,
    revised,
    *,
    partner=None,
    late=False,
    reason="",
):
    if revised and not reason:
        reason = next(
            (u.revision_reason for u in reversed(spec.updates) if u.revision_reason), "Timetable revised."
        )
    spec.updates.append(
        UpdateSpec(
            period=q.code,
            status=status,
            rag=rag,
            percent=percent,
            commentary=commentary,
            next_steps=next_steps,
            created_at=_when(rng, q, late_in_quarter=late),
            author=author,
            partner=partner,
            revised_due_date=revised,
            revision_reason=reason if revised else "",
        )
    )


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
                description=f"Illustrative demo action: {s.title.lower()} across the "
                f"partners it serves, tracked by {s.unit}.",
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
        )
        for s in new_specs
        for u in s.updates
    ]
    ProgressUpdate.objects.bulk_create(updates, batch_size=5000)
    log(f"Created {len(updates)} progress updates.")
    # Bulk writes send no signals: the derived state (latest update, quarter states) is refreshed once.
    rows = derived.refresh(Action.objects.filter(pk__in=[a.pk for a in actions.values()]))
    log(f"Recorded {rows} quarter states.")
    return {"actions": len(actions), "updates": len(updates)}
