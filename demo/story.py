"""How each demo action's year goes, written as its quarterly updates.

Pure and seeded: build_specs turns the hand-written plans (demo/plans.py) into specs of
actions and updates, which demo/loader.py writes. Every update is written for its own
figures: the commentary names only the update's own % complete, completed is 100% and
blue, cancelled and deferred are green (no longer being delivered, so never at risk),
and a green update is never overdue at its quarter's end (actionplan.rules decides
that, here as in the portal). Amber and red say what went wrong and what is being done;
a slip gives a revised date and a reason no other action in the plan shares.
"""

from __future__ import annotations

import datetime
import functools
import random
from dataclasses import dataclass, field

from django.utils import timezone

from actionplan import rules
from actionplan.models import ProgressUpdate
from core.quarters import Quarter, financial_year_label, quarters_between
from demo import plans, words
from reminders.calendar import is_working_day, quarter_dates

S, R = ProgressUpdate.Status, ProgressUpdate.Rag

DEMO_TODAY = datetime.date(2023, 1, 16)
PLAN_YEARS = [2019, 2020, 2021, 2022, 2023]
# The quarter officers are reporting on at the demo date: its updates are partly in.
REPORTING = Quarter(2022, 3)
# Share of the actions owing a 2022/23 Q3 update that have given it by the demo date.
Q3_RECEIVED_SHARE = 0.62
# Share of multi-council actions, in a plan year, where one council's delivery differs.
PARTNERS_DIFFER_SHARE = 0.1

PROFILES = ["smooth", "slip", "red", "stuck", "cancel", "defer"]
PROFILE_WEIGHTS = [63, 15, 9, 5, 4, 3]
TROUBLED = {"slip", "red", "stuck"}


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
    description: str
    lead: str
    partners: list[str]
    start: datetime.date
    due: datetime.date
    priority: str
    milestones: tuple[str, ...]
    profile: str | None = None
    carried_from: tuple[int, str] | None = None
    start_percent: int = 0
    updates: list[UpdateSpec] = field(default_factory=list)
    carry_forward: bool = False
    differs: str | None = None  # the council whose delivery differs, if any


def last_reported(year: int) -> Quarter | None:
    """The last quarter of `year` with updates at the demo date."""
    if year >= 2023:
        return None
    return Quarter(year, 4) if year < 2022 else REPORTING


@functools.cache
def board_report_on(quarter: Quarter) -> datetime.date:
    """The day the quarter's board report went and the quarter was locked (the calendar's
    default: BOARD_REPORT_DAYS_AFTER_QUARTER days after it, not before escalation)."""
    return quarter_dates(quarter).board_report_on


# --- building the plans --------------------------------------------------------


def build_specs(*, scale: int = 1) -> list[ActionSpec]:
    """Every demo action with its updates, in plan-year order. Pure and seeded."""
    specs: list[ActionSpec] = []
    for copy in range(scale):
        carried: list[ActionSpec] = []
        for year in PLAN_YEARS:
            rng = random.Random(f"demo-{copy}-{year}")
            year_specs = _year_actions(rng, year, copy, carried)
            writer = Writer(random.Random(f"words-{copy}-{year}"), year)
            for spec in year_specs:
                tell(random.Random(f"{copy}-{year}-{spec.reference}"), spec, writer)
            _partners_differ(random.Random(f"partners-{copy}-{year}"), year_specs, writer)
            if year == REPORTING.year:
                _q3_partly_in(random.Random(f"q3-{copy}"), year_specs)
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
        due_q = rng.choice([1, 2, 2])
        result.append(
            ActionSpec(
                year=year,
                reference=f"{old.theme}.{counters[old.theme]}{_suffix(copy)}",
                theme=old.theme,
                title=old.title,
                description=f"{old.description.split(' Carried forward')[0]} Carried forward from the "
                f"{financial_year_label(old.year)} plan, where it was action {old.reference}.",
                lead=old.lead,
                partners=old.partners,
                start=datetime.date(year, 4, 1),
                due=Quarter(year, due_q).last_day,
                priority=old.priority,
                milestones=old.milestones,
                profile=rng.choice(["smooth", "smooth", "smooth", "slip"]),
                carried_from=(old.year, old.reference),
                start_percent=old.updates[-1].percent if old.updates else 0,
            )
        )
    for theme in range(1, 7):
        for item in plans.PLANS[year][theme]:
            counters[theme] += 1
            start_q = item.start or rng.choice([1, 1, 1, 2])
            due_q = item.due or min(4, start_q + rng.choice([1, 2, 2, 3]))
            title = item.title if copy == 0 else f"{item.title} (copy {copy + 1})"
            result.append(
                ActionSpec(
                    year=year,
                    reference=f"{theme}.{counters[theme]}{_suffix(copy)}",
                    theme=theme,
                    title=title,
                    description=item.description,
                    lead=item.lead,
                    partners=list(item.partners),
                    start=Quarter(year, start_q).first_day,
                    due=Quarter(year, due_q).last_day,
                    priority=rng.choice(["high", "medium", "medium", "low"]),
                    milestones=item.milestones,
                    profile=item.profile,
                )
            )
    return result


# --- the words ---------------------------------------------------------------------


class Writer:
    """One plan year's sentences: each problem, story and closing line used once."""

    def __init__(self, rng: random.Random, year: int):
        self.rng = rng
        self.year = year
        self.problems = [p for p in words.PROBLEMS if not p.years or year in p.years]
        rng.shuffle(self.problems)
        self.partner_stories = {k: rng.sample(v, len(v)) for k, v in words.PARTNER_STORIES.items()}
        self.closing = rng.sample(words.CLOSING, len(words.CLOSING))
        self.escalation = rng.sample(words.ESCALATION, len(words.ESCALATION))
        self.cancelled = rng.sample(words.CANCELLED, len(words.CANCELLED))
        self.deferred = rng.sample(words.DEFERRED, len(words.DEFERRED))
        self.used: set[str] = set()

    def problem(self, spec: ActionSpec, quarter: Quarter) -> words.Problem | None:
        """An unused problem that fits the action's work and the quarter it happens in."""
        text = " ".join([spec.title, spec.description, *spec.milestones])
        for problem in self.problems:
            if problem.suits(text, quarter.code):
                self.problems.remove(problem)
                return problem
        return None

    def take(self, pool: list[str], fallback: str = "") -> str:
        return pool.pop() if pool else fallback

    def unique(self, options: list[str]) -> str:
        """The first of `options` not yet written in this plan (else the first)."""
        for text in options:
            if text not in self.used:
                self.used.add(text)
                return text
        return options[0]

    def fill(self, template: str, **values) -> str:
        for name in ("cur", "done", "nxt", "last"):
            if values.get(name):
                phrase = values[name]
                values[name.capitalize()] = _capital(phrase)
                many = is_plural(phrase)
                values[f"{name}_is"], values[f"{name}_was"] = ("are", "were") if many else ("is", "was")
                values[f"{name}_has"] = "have" if many else "has"
        return " ".join(template.format(**values).split())


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


_PREPOSITIONS = (" of ", " with ", " to ", " for ", " at ", " in ", " from ", " on ", " by ", " before ")


def is_plural(phrase: str) -> bool:
    """Whether a stage ("the floor plans", "the removal of the old switches") takes "are".

    Its head is the part before the first preposition: plural when it joins two things
    with "and" or ends in a plural noun (not a proper name such as "Teams")."""
    head = f" {phrase} "
    for word in _PREPOSITIONS:
        head = head.split(word)[0]
    if " and " in head:
        return True
    last = head.split()[-1]
    return last.endswith("s") and not last.endswith(("ss", "us", "is")) and not last[0].isupper()


def _day(date: datetime.date) -> str:
    return f"{date.day} {date:%B %Y}"


def _month(quarter: Quarter, rng) -> str:
    return (quarter.first_day + datetime.timedelta(days=31 * rng.randint(0, 2) + 5)).strftime("%B")


# --- one action's year ----------------------------------------------------------------


@dataclass
class Plot:
    """The shape of an action's year, decided before its updates are written."""

    profile: str
    trouble: Quarter | None = None  # when it went wrong (or was stopped)
    revised: Quarter | None = None  # the revised due quarter
    finish: Quarter | None = None  # completed in this quarter (None: not this year)
    problem: words.Problem | None = None


def _plot(rng, spec: ActionSpec, quarters: list[Quarter], writer: Writer) -> Plot:
    profile = spec.profile or rng.choices(PROFILES, weights=PROFILE_WEIGHTS)[0]
    due_q = Quarter.containing(spec.due)
    year_end = Quarter(spec.year, 4)
    before_due = [q for q in quarters if q <= due_q]
    options = before_due[1:] or before_due[:1]
    if profile != "smooth" and not options:
        profile = "smooth"
    plot = Plot(profile)
    if profile == "smooth":
        plot.finish = due_q
        return plot
    plot.trouble = rng.choice(options)
    if profile in TROUBLED:
        plot.problem = writer.problem(spec, plot.trouble)
        if plot.problem is None:  # every story used in this plan: it goes smoothly
            return Plot("smooth", finish=due_q)
    if profile == "slip":
        plot.revised = _later(due_q, rng.choice([1, 1, 2]))
    elif profile == "red":
        plot.revised = _later(max(due_q, plot.trouble.next()), 1)
    elif profile == "stuck":
        plot.revised = due_q.next()
    if profile in ("slip", "red") and plot.revised <= year_end:
        plot.finish = plot.revised
    return plot


def _later(quarter: Quarter, steps: int) -> Quarter:
    for _ in range(steps):
        quarter = quarter.next()
    return quarter


def tell(rng: random.Random, spec: ActionSpec, writer: Writer) -> None:
    """Write the action's quarterly story into spec.updates."""
    last = last_reported(spec.year)
    if last is None:
        return
    start_q = Quarter.containing(spec.start)
    year_end = Quarter(spec.year, 4)
    quarters = [q for q in quarters_between(start_q, year_end) if q <= last]
    if not quarters:
        return
    plot = _plot(rng, spec, quarters, writer)
    spec.profile = plot.profile
    m = spec.milestones
    percent = spec.start_percent
    revised: datetime.date | None = None
    reason = ""
    end_q = plot.finish or year_end.next()
    for q in quarters:
        month = _month(q, rng)
        author = spec.lead if rng.random() > 0.1 else "admin"
        base = {"month": month, "quarter": q.label, "due": _day(spec.due)}

        def add(status, rag, pct, commentary, next_steps, *, late=False, q=q, author=author):
            # The revised date and reason as they stand when the update is written, on purpose.
            dates = (revised, reason)  # noqa: B023
            _append(spec, rng, q, author, status, rag, pct, commentary, next_steps, *dates, late)

        if plot.finish and q == plot.finish:
            last_stage = m[-1]
            if rng.random() < 0.4:
                add(
                    S.IN_PROGRESS,
                    R.GREEN,
                    max(percent, 90),
                    _mid_quarter(writer, rng, m[-1], q),
                    "",
                    late=True,
                )
            if revised:
                text = writer.fill(
                    rng.choice(words.COMPLETED_LATE), last=last_stage, revised=_day(revised), **base
                )
            else:
                text = writer.fill(rng.choice(words.COMPLETED), last=last_stage, **base)
            add(S.COMPLETED, R.BLUE, 100, f"{text} {writer.take(writer.closing)}".strip(), "")
            return
        if plot.profile in ("cancel", "defer") and q == plot.trouble:
            label = financial_year_label(spec.year + 1)
            if plot.profile == "cancel":
                template = writer.take(writer.cancelled, words.CANCELLED[0])
                add(S.CANCELLED, R.GREEN, percent, writer.fill(template, pct=percent, **base), "")
                return
            template = writer.take(writer.deferred, words.DEFERRED[0])
            spec.carry_forward = spec.year < REPORTING.year
            nxt = f"Pick the work up again in the {label} plan." if spec.carry_forward else ""
            add(S.DEFERRED, R.GREEN, percent, writer.fill(template, pct=percent, next=label, **base), nxt)
            return

        remaining = max(1, len(quarters_between(q, end_q)))
        troubled_now = plot.trouble is not None and q >= plot.trouble and plot.profile in TROUBLED
        step = (100 - percent) / remaining * (0.5 if troubled_now else 1)
        percent = min(95, max(percent + 5, 5 * round((percent + step) / 5)))
        stage = min(len(m) - 1, percent * len(m) // 100)
        cur = m[stage]
        done = m[stage - 1] if stage else None
        nxt = m[stage + 1] if stage + 1 < len(m) else None
        problem = plot.problem
        original = _day(spec.due)
        cur_is = "are" if is_plural(cur) else "is"

        rag, text, next_steps = R.GREEN, "", ""
        if plot.profile == "slip" and q == plot.trouble:
            revised, reason = plot.revised.last_day, problem.reason
            rag = R.AMBER
            text = (
                f"{problem.cause} {problem.response} The due date moves from {original} to {_day(revised)}."
            )
            next_steps = problem.next_step
        elif plot.profile == "red" and q == plot.trouble:
            rag = R.RED
            text = f"{problem.cause} Work on {cur} has stopped until it is resolved. {problem.response}"
            next_steps = problem.next_step
        elif plot.profile == "red" and q == plot.trouble.next():
            revised, reason = plot.revised.last_day, problem.reason
            rag = R.AMBER
            text = (
                f"Work on {cur} restarted after last quarter's problem, but the original date of "
                f"{original} cannot now be met. The due date moves to {_day(revised)}."
            )
            next_steps = f"Complete {cur} by {_day(revised)}."
        elif plot.profile == "stuck" and q == plot.trouble:
            revised, reason = plot.revised.last_day, problem.reason
            rag = R.AMBER
            text = (
                f"{problem.cause} {problem.response} The due date moves from {original} to {_day(revised)}."
            )
            next_steps = problem.next_step
        elif plot.profile == "stuck" and q > plot.trouble:
            if revised and revised > q.last_day:
                rag = R.AMBER
                text = (
                    "Still recovering from the delay reported last quarter: "
                    f"{cur} {cur_is} taking longer than replanned, though the revised date of "
                    f"{_day(revised)} still stands."
                )
                next_steps = f"Complete {cur} by {_day(revised)}."
            else:
                rag = R.RED
                text = (
                    f"The revised date of {_day(revised)} was missed: {cur} {cur_is} still not finished. "
                    f"{writer.take(writer.escalation)}"
                ).strip()
                next_steps = "Agree a realistic new date with the project board."

        due = rules.due_date(spec.due, revised)
        if rag == R.GREEN and rules.is_overdue(due, S.IN_PROGRESS, q.last_day):
            # Never green once past its date: this should not happen in the plots above.
            rag = R.AMBER
            text = f"{_capital(cur)} {cur_is} behind its due date of {_day(due)}."
            next_steps = f"Agree a revised date for {cur}."
        if rag == R.GREEN:
            text = _green(writer, rng, cur, done, percent, revised, base)
            next_steps = _green_next(writer, rng, cur, nxt, q, due)

        if q == year_end and spec.year < REPORTING.year:
            # Unfinished at year end: carried forward into next year's plan, keeping its title.
            spec.carry_forward = True
            rag = R.RED if rag == R.RED else R.AMBER
            label = financial_year_label(spec.year + 1)
            # 2019/20 ended as the first lockdown began.
            when_ended = ", when the March lockdown stopped work on site" if spec.year == 2019 else ""
            text = (
                f"{text} Not finished by the end of {financial_year_label(spec.year)}{when_ended}: "
                f"carried forward into the {label} action plan."
            )
            next_steps = f"Continue {cur} under the {label} plan."
        if rag == R.GREEN and rng.random() < 0.35:
            add(
                S.IN_PROGRESS,
                R.GREEN,
                max(spec.start_percent, percent - 5),
                _mid_quarter(writer, rng, cur, q),
                "",
                late=True,
            )
        add(S.IN_PROGRESS, rag, percent, text, next_steps)


def _append(spec, rng, q, author, status, rag, pct, commentary, next_steps, revised, reason, late) -> None:
    spec.updates.append(
        UpdateSpec(
            period=q.code,
            status=status,
            rag=rag,
            percent=pct,
            commentary=commentary,
            next_steps=next_steps,
            created_at=when(rng, q, late_in_quarter=late),
            author=author,
            revised_due_date=revised,
            revision_reason=reason if revised else "",
        )
    )


def _green(writer, rng, cur, done, pct, revised, base) -> str:
    if revised:
        templates = words.GREEN_REVISED
    else:
        templates = words.GREEN_LATER if done else words.GREEN_FIRST
    colours = words.GREEN_COLOUR
    options = []
    for template in rng.sample(templates, len(templates)):
        for colour in rng.sample(colours, len(colours)):
            text = writer.fill(
                f"{template} {colour}",
                cur=cur,
                done=done,
                pct=pct,
                revised=_day(revised) if revised else "",
                **base,
            )
            options.append(text)
    return writer.unique(options)


def _green_next(writer, rng, cur, nxt, q, due) -> str:
    end_month = q.next().last_day.strftime("%B")
    templates = words.GREEN_NEXT if nxt else words.GREEN_NEXT_LAST
    options = [
        writer.fill(t, cur=cur, nxt=nxt, endmonth=end_month, due=_day(due))
        for t in rng.sample(templates, len(templates))
    ]
    return options[0]


def _mid_quarter(writer, rng, cur, q) -> str:
    templates = rng.sample(words.MID_QUARTER, len(words.MID_QUARTER))
    return writer.unique([writer.fill(t, cur=cur, quarter=q.label) for t in templates])


# --- councils that differ ------------------------------------------------------------


def _partners_differ(rng, year_specs: list[ActionSpec], writer: Writer) -> None:
    """On about one multi-council action in ten, one council's delivery runs behind.

    That council gets its own updates from the quarter it falls behind: amber, a lower
    % complete, a revised date with the council's own reason, and it completes a
    quarter after the others. The whole action's own updates say so. Only actions that
    complete smoothly this year, a quarter before the year's last report, are chosen,
    so the late council can catch up inside the plan year (or, in 2022/23, is still
    going at the demo date).
    """
    multi = [s for s in year_specs if len(s.partners) > 1]
    if not multi:
        return
    last = last_reported(year_specs[0].year)
    eligible = [
        s
        for s in multi
        if s.profile == "smooth"
        and not s.carried_from
        and len({u.period for u in s.updates}) >= 2
        and s.updates[-1].status == S.COMPLETED
        and (Quarter.from_code(s.updates[-1].period) < last or last == REPORTING)
    ]
    wanted = max(1, round(len(multi) * PARTNERS_DIFFER_SHARE))
    for spec in rng.sample(eligible, min(wanted, len(eligible))):
        council = rng.choice([p for p in spec.partners if p in writer.partner_stories])
        stories = writer.partner_stories[council]
        if not stories:
            continue
        _one_council_behind(rng, spec, council, stories.pop(), last)


def _one_council_behind(rng, spec: ActionSpec, council: str, story, last: Quarter) -> None:
    place = words.PLACE[council]
    overall = [u for u in spec.updates if u.partner is None]
    quarter_end = {}
    for u in overall:  # the last overall update of each quarter
        quarter_end[u.period] = u
    periods = sorted(quarter_end)
    behind_from = periods[rng.randint(1, len(periods) - 1)]
    finish = Quarter.from_code(periods[-1]).next()
    revised = finish.last_day
    percent = 0
    added = []
    for code in periods:
        if code < behind_from:
            continue
        u = quarter_end[code]
        # The whole action is now due when its late council is, for that council's reason.
        u.revised_due_date, u.revision_reason = revised, story.reason
        percent = max(percent, min(90, u.percent - rng.choice([20, 25, 30])), 5)
        if u.status == S.COMPLETED:
            percent = max(percent, 80)
            text = f"Live at the other councils. {story.why}"
            u.commentary = f"{u.commentary} {place} follows next quarter: see its own update."
        else:
            text = f"{story.why} The rest of the action is on track at the other councils."
            u.commentary = f"{u.commentary} {place} is behind the other councils: see its own update."
        added.append(
            _partner_update(u, council, S.IN_PROGRESS, R.AMBER, percent, text, revised, story.reason)
        )
    if finish <= last and finish <= Quarter(spec.year, 4):
        # The late council catches up: its own completion, and the whole action's return
        # for the quarter (the action was still open at the councils' worst state).
        done = quarter_end[periods[-1]]
        at = when(rng, finish)
        for partner, text in (
            (council, f"{story.done} The action is now complete at every council it serves."),
            (None, f"Now complete at every council. {story.done}"),
        ):
            added.append(
                UpdateSpec(
                    period=finish.code,
                    status=S.COMPLETED,
                    rag=R.BLUE,
                    percent=100,
                    commentary=text,
                    next_steps="",
                    created_at=at if partner else at + datetime.timedelta(minutes=3),
                    author=done.author,
                    partner=partner,
                    revised_due_date=revised,
                    revision_reason=story.reason,
                )
            )
    spec.updates.extend(added)
    spec.differs = council


def _partner_update(u: UpdateSpec, council, status, rag, percent, text, revised, reason) -> UpdateSpec:
    return UpdateSpec(
        period=u.period,
        status=status,
        rag=rag,
        percent=percent,
        commentary=text,
        next_steps=f"Confirm the {words.PLACE[council]} date with the service and report it next quarter.",
        created_at=u.created_at + datetime.timedelta(minutes=4),
        author=u.author,
        partner=council,
        revised_due_date=revised,
        revision_reason=reason,
    )


# --- 2022/23 Q3: partly in -------------------------------------------------------------


def _q3_partly_in(rng, year_specs: list[ActionSpec]) -> None:
    """Drop the Q3 updates of the actions whose officers have not given them yet.

    About a third of those owing one are still missing on the demo date (its due day).
    An action that was green at Q2 and due by the end of Q3 always reported: its
    silence would show a green action past its date. Each demo officer has some in and
    some still due.
    """
    code = REPORTING.code
    owing = []
    for spec in year_specs:
        before = [u for u in spec.updates if u.partner is None and u.period < code]
        if spec.start > REPORTING.last_day or (before and before[-1].status in rules.CLOSED_STATUSES):
            continue
        if not any(u.period == code for u in spec.updates):
            continue
        prior = before[-1] if before else None
        due = rules.due_date(spec.due, prior.revised_due_date if prior else None)
        must_report = prior is not None and prior.rag == R.GREEN and due <= REPORTING.last_day
        owing.append((spec, must_report))
    missing_target = round(len(owing) * (1 - Q3_RECEIVED_SHARE))
    candidates = [spec for spec, must in owing if not must]
    rng.shuffle(candidates)
    # Each demo officer has at least one update still due and one in.
    for username in ("officer", "officer2"):
        theirs = [s for s in candidates if s.lead == username]
        if theirs:
            candidates.remove(theirs[0])
            candidates.insert(0, theirs[0])
    missing = candidates[:missing_target]
    for spec in missing:
        spec.updates = [u for u in spec.updates if u.period != code]


# --- when updates come in ----------------------------------------------------------------


def when(rng, quarter: Quarter, *, late_in_quarter=False) -> datetime.datetime:
    """A working day and time for an update on `quarter`.

    A quarter-end update comes in from 3 days after the quarter ends to the day before
    its board report (which locks the quarter), most before the due date and a few
    after the reminders chase them; never on or after the demo date. An interim update
    comes in the quarter's last fortnight.
    """
    if late_in_quarter:
        first, last = quarter.last_day - datetime.timedelta(days=13), quarter.last_day
    else:
        first = quarter.last_day + datetime.timedelta(days=3)
        last = min(board_report_on(quarter), DEMO_TODAY) - datetime.timedelta(days=1)
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    days = [d for d in days if is_working_day(d)] or days
    weights = [len(days) - i for i in range(len(days))]  # most come in early
    day = rng.choices(days, weights=weights)[0]
    naive = datetime.datetime.combine(day, datetime.time(rng.randint(8, 17), rng.randint(0, 59)))
    return timezone.make_aware(naive)
