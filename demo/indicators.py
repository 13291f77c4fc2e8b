# ruff: noqa: E501 (prose: the indicators' definitions and commentary, read and edited as a table)
"""The demo's performance indicators: seventeen measures a shared ICT service reports on, across
the six themes, with four years of values from April 2019 to the demo date.

Illustrative, and written to read like a real scorecard: targets that rise as the strategy
matures (one raised mid-year), values that trend the way the strategy's work would move them,
a few reds with what caused them and what was done, an activity indicator for context and one
measured per council. Each value is dated a few days after its period ends, before the
quarter's board report, and the 2022/23 Q3 values are partly in at the demo date.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from core.quarters import Quarter
from demo.story import DEMO_TODAY, board_report_on
from indicators import rules
from indicators.models import Indicator, IndicatorTarget, IndicatorValue
from indicators.periods import Period, periods_between

FIRST, LAST = Period.month(2019, 4), Period.month(2022, 12)
# When the indicators were set up: with the strategy's first action plan.
SET_UP = datetime.date(2019, 4, 1)
D = Decimal


@dataclass(frozen=True)
class Spec:
    code: str
    theme: int
    name: str
    definition: str
    unit: str
    polarity: str
    frequency: str
    owner: str
    source: str
    targets: dict  # year (or (year, quarter)) -> (target, tolerance, kind)
    path: tuple  # (first value, last value, noise, lowest, highest, decimals)
    baseline: tuple | None = None  # (value, note)
    roll_up: str = "last"
    activity: bool = False
    per_partner: bool = False
    # period code ("2020-03", "2020/21 Q2", "2020/21") -> (value, commentary); partner ones under (code, partner)
    events: dict = field(default_factory=dict)
    # The current quarter's values not yet in at the demo date.
    late: bool = False


def _yearly(*values, tolerance, kind="absolute") -> dict:
    return {
        year: (D(str(v)), D(str(tolerance)), kind) for year, v in zip(range(2019, 2023), values, strict=True)
    }


SPECS = [
    Spec(
        "PI 1.1", 1, "Staff able to work remotely on a managed device",
        "Staff with a council laptop or tablet enrolled in device management and able to reach the "
        "partnership's systems from anywhere, as a share of all staff on the payroll at the quarter's end.",
        "percentage", "higher", "quarterly", "officer", "Intune device report and HR establishment list",
        _yearly(75, 90, 95, 97, tolerance=5), (61, 97.6, 1.2, 55, 99.5, 1), baseline=(58, "March 2019"),
        events={"2020/21 Q1": (D("88.4"), "Laptops were issued to 640 staff in April and May for home working; "
                               "the last desk-bound teams move over in July.")},
    ),
    Spec(
        "PI 1.2", 1, "Remote access availability in core hours",
        "Minutes the remote-access gateways were available between 7am and 7pm on working days, as a share of "
        "all such minutes in the month.",
        "percentage", "higher", "monthly", "officer", "Gateway monitoring (PRTG)",
        _yearly(99.5, 99.5, 99.7, 99.7, tolerance=0.3), (99.6, 99.9, 0.08, 99.4, 100, 2), roll_up="average",
        events={"2020-03": (D("98.62"), "Demand trebled in the week of the first lockdown and the single gateway "
                            "was saturated for parts of four days. A second gateway and 400 more licences went "
                            "live on 27 March.")},
    ),
    Spec(
        "PI 1.3", 1, "Spare laptop stock",
        "Laptops built and ready to issue, in weeks of average demand over the last three months. Too few "
        "delays new starters; too many ties up capital in devices that age on the shelf.",
        "number", "on_target", "quarterly", "officer", "Asset register",
        _yearly(4, 4, 4, 4, tolerance=1.5), (5.5, 4.2, 0.6, 1, 8, 1),
        events={"2021/22 Q3": (D("1.8"), "The global chip shortage stretched laptop lead times to 22 weeks; "
                               "refurbished returns are filling the gap and an order for 150 is due in February.")},
    ),
    Spec(
        "PI 2.1", 2, "Transactions completed online",
        "Customer transactions (payments, applications, reports and bookings) completed online from end to "
        "end, as a share of all such transactions across the three councils.",
        "percentage", "higher", "quarterly", "nhussain", "Web platform and contact centre statistics",
        _yearly(45, 50, 55, 60, tolerance=5, kind="share"), (41, 61.5, 1.1, 35, 75, 1), baseline=(39, "2018/19"),
    ),
    Spec(
        "PI 2.2", 2, "Digital projects delivered to time",
        "Digital transformation projects closed in the quarter that went live by the date in their approved "
        "business case, as a share of all projects closed in the quarter.",
        "percentage", "higher", "quarterly", "manager", "ICT project register",
        _yearly(75, 75, 80, 80, tolerance=10), (72, 86, 4, 50, 100, 0),
        events={"2020/21 Q2": (D("50"), "Three of six projects went live late after staff were redeployed to the "
                               "pandemic response; the board agreed revised dates in June.")},
    ),
    Spec(
        "PI 3.1", 3, "Servers patched within 14 days",
        "Servers with every critical and important security update installed within 14 days of its release, "
        "as a share of all servers in the estate at the month's end.",
        "percentage", "higher", "monthly", "jwhitfield", "Configuration Manager compliance report",
        _yearly(90, 92, 95, 95, tolerance=3), (89, 97.4, 1.0, 80, 100, 1), roll_up="last",
        events={
            "2021-11": (D("86.5"), "A cumulative update that broke print services had to be withdrawn and "
                        "re-released; 41 servers were patched outside the 14 days. All were up to date by 3 December."),
            "2022-10": (D("88.9"), "Patching slipped while two engineers supported the data-centre move; 23 "
                        "servers missed the window and were patched in the first week of November."),
        },
    ),
    Spec(
        "PI 3.2", 3, "Phishing simulation click rate",
        "Staff who clicked the link in the quarter's simulated phishing e-mail, as a share of all staff it "
        "was sent to. Lower is better.",
        "percentage", "lower", "quarterly", "jwhitfield", "Phishing simulation platform",
        _yearly(8, 6, 5, 4, tolerance=25, kind="share"), (9.5, 3.6, 0.5, 2, 15, 1), baseline=(11.2, "2018/19"),
        events={"2020/21 Q2": (D("9.1"), "The July campaign imitated a test-and-trace message, the most convincing "
                               "lure so far. The 212 staff who clicked were given a short targeted module.")},
    ),
    Spec(
        "PI 3.3", 3, "Staff completing cyber-security training",
        "Staff who have completed the annual cyber-security e-learning in the last twelve months, as a share "
        "of staff with a network account.",
        "percentage", "higher", "quarterly", "jwhitfield", "Learning management system",
        _yearly(85, 90, 95, 95, tolerance=5), (78, 94.5, 1.5, 60, 100, 1), late=True,
    ),
    Spec(
        "PI 3.4", 3, "Availability of key systems",
        "Minutes the twelve systems named in the business continuity plan were available in core hours, "
        "averaged over the systems, as a share of all core-hours minutes.",
        "percentage", "higher", "monthly", "officer", "Service monitoring",
        _yearly(99.5, 99.5, 99.8, 99.8, tolerance=0.3), (99.7, 99.93, 0.06, 99.5, 100, 2), roll_up="average",
        events={"2022-02": (D("99.38"), "Storm Eunice cut power to the Maidstone data centre for six hours on 18 "
                            "February and the generator failed to start. It has been replaced and is now tested "
                            "monthly under load.")},
    ),
    Spec(
        "PI 4.1", 4, "Service desk first-contact resolution",
        "Calls and chats to the service desk resolved during the first contact, without passing to another "
        "team or calling back, as a share of all calls and chats logged.",
        "percentage", "higher", "monthly", "lbennett", "Service desk system",
        {**_yearly(62, 65, 68, 70, tolerance=5), (2022, 3): (D("72"), D("5"), "absolute"),
         (2022, 4): (D("72"), D("5"), "absolute")},
        (60, 70.5, 1.4, 50, 85, 1), roll_up="average", baseline=(58, "2018/19"),
        events={
            "2022-11": (D("64.8"), "Two experienced analysts left in November; agency cover started on the 21st but "
                        "needs a few weeks to learn the councils' systems."),
            "2022-12": (D("61.4"), "Still two analysts short (their replacements start in January), and calls about "
                        "the new telephony system needed second-line engineers. A knowledge-base article for the "
                        "ten commonest telephony calls went live on 19 December."),
        },
    ),
    Spec(
        "PI 4.2", 4, "Priority-one incidents resolved within four hours",
        "Priority-one incidents (a service down for many users) resolved within four hours of being logged, "
        "as a share of all priority-one incidents resolved in the month.",
        "percentage", "higher", "monthly", "lbennett", "Service desk system",
        _yearly(85, 90, 90, 92, tolerance=5), (84, 93, 4, 60, 100, 0), roll_up="average",
        events={"2021-07": (D("67"), "Two of the month's three priority-one incidents were a supplier's hosted "
                            "planning system, restored by the supplier after nine hours; the contract's service "
                            "credits have been claimed.")},
    ),
    Spec(
        "PI 4.3", 4, "Customer satisfaction with ICT support",
        "Respondents to the closed-call survey rating their experience good or very good, as a share of all "
        "respondents in the quarter.",
        "percentage", "higher", "quarterly", "lbennett", "Closed-call survey",
        _yearly(88, 90, 90, 92, tolerance=3), (87, 92.8, 1.0, 75, 99, 1), late=True,
    ),
    Spec(
        "PI 4.4", 4, "Service desk contacts",
        "Calls, chats and e-mails logged by the service desk in the month: context for the desk's other "
        "measures, with no target.",
        "number", "higher", "monthly", "lbennett", "Service desk system",
        {}, (5400, 4700, 260, 3500, 9000, 0), roll_up="sum", activity=True,
        events={"2020-03": (D("8120"), "The move to home working: laptops, remote access and new Teams accounts."),
                "2020-04": (D("7340"), "")},
    ),
    Spec(
        "PI 5.1", 5, "Information requests answered within 20 working days",
        "Freedom of Information and Environmental Information requests answered within the statutory 20 "
        "working days, as a share of all requests due in the quarter, for each council and in all.",
        "percentage", "higher", "quarterly", "dprice", "Information request case system",
        _yearly(90, 90, 92, 92, tolerance=5), (88, 94, 1.6, 70, 100, 1), per_partner=True,
        events={("2022/23 Q3", "SBC"): (D("78.5"), "A run of complex requests about the Local Plan took the "
                                        "planning team's time; two temporary officers joined in December.")},
    ),
    Spec(
        "PI 5.2", 5, "Data protection breaches reported to the ICO",
        "Personal data breaches the councils reported to the Information Commissioner's Office in the quarter.",
        "number", "lower", "quarterly", "dprice", "Data protection breach log",
        _yearly(0, 0, 0, 0, tolerance=1), (1, 0, 0.45, 0, 1, 0),
        events={"2021/22 Q2": (D("2"), "A misdirected e-mail with a benefit claimant's details, and a lost "
                               "unencrypted memory stick. The ICO took no action; USB storage is now blocked.")},
    ),
    Spec(
        "PI 6.1", 6, "ICT projects delivered to time and budget",
        "ICT projects closed in the financial year that went live by their approved date and within 5% of "
        "their approved budget, as a share of all ICT projects closed in the year.",
        "percentage", "higher", "annual", "manager", "ICT project register and finance ledger",
        _yearly(70, 70, 75, 75, tolerance=10), (68, 78, 3, 40, 100, 0),
        events={"2020/21": (D("57"), "Project staff were diverted to the pandemic response for much of the "
                            "year and four projects were rescheduled by the board.")},
    ),
    Spec(
        "PI 6.2", 6, "Working days to provide a new cloud service",
        "Average working days from an approved request for a new cloud service to its being ready to use "
        "(security review, single sign-on and data protection impact assessment included).",
        "days", "lower", "quarterly", "officer2", "ICT request tracker",
        _yearly(20, 18, 15, 12, tolerance=3), (22, 11, 1.2, 6, 35, 1),
        events={"2022/23 Q2": (D("16.5"), "Three requests waited weeks for suppliers' answers to the security "
                               "questionnaire; the questionnaire now goes to the supplier with the first contact.")},
    ),
]  # fmt: skip


def load(strategy, users, partners, *, scale: int = 1) -> int:
    """Create the demo indicators, their targets and values (once: a second load adds nothing).
    At scale N each indicator is repeated N times (for the benchmark). Returns the values created."""
    themes = {t.number: t for t in strategy.themes.all()}
    created_at = timezone.make_aware(datetime.datetime.combine(SET_UP, datetime.time(9)))
    values: list[IndicatorValue] = []
    for copy in range(scale):
        for spec in SPECS:
            code = spec.code if copy == 0 else f"{spec.code}.{copy + 1}"
            indicator, made = Indicator.objects.get_or_create(
                strategy=strategy,
                code=code,
                defaults={
                    "theme": themes[spec.theme],
                    "name": spec.name,
                    "definition": spec.definition,
                    "unit": spec.unit,
                    "polarity": spec.polarity,
                    "frequency": spec.frequency,
                    "roll_up": spec.roll_up,
                    "data_source": spec.source,
                    "baseline": D(str(spec.baseline[0])) if spec.baseline else None,
                    "baseline_note": spec.baseline[1] if spec.baseline else "",
                    "owner": users[spec.owner],
                    "is_activity": spec.activity,
                    "per_partner": spec.per_partner,
                    "created_at": created_at,
                },
            )
            if not made:
                continue
            targets = _targets(indicator, spec)
            values += _values(indicator, spec, targets, users, partners, copy)
    IndicatorValue.objects.bulk_create(values, batch_size=2000)
    return len(values)


def _targets(indicator, spec) -> list[IndicatorTarget]:
    made = []
    for key, (target, tolerance, kind) in spec.targets.items():
        year, quarter = key if isinstance(key, tuple) else (key, None)
        made.append(
            IndicatorTarget(
                indicator=indicator,
                year=year,
                quarter=quarter,
                target=target,
                tolerance=tolerance,
                tolerance_kind=kind,
            )  # fmt: skip
        )
    IndicatorTarget.objects.bulk_create(made)
    return made


def _periods(spec) -> list[Period]:
    first = Period.ending(FIRST.end, spec.frequency)
    last = Period.ending(LAST.end, spec.frequency)
    return [p for p in periods_between(first, last) if p.end < DEMO_TODAY]


def _recorded(period: Period, rng: random.Random) -> datetime.datetime | None:
    """When the owner recorded the value: a week or so after the period ended, before the board
    report of its quarter; None when it is not in yet at the demo date."""
    day = period.end + datetime.timedelta(days=rng.randint(4, 12))
    report_day = board_report_on(period.quarter)
    day = min(day, report_day - datetime.timedelta(days=2))
    if day >= DEMO_TODAY:
        return None
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(rng.randint(8, 16), rng.randint(0, 59)))
    )


def _values(indicator, spec, targets, users, partners, copy) -> list[IndicatorValue]:
    rng = random.Random(f"{spec.code}-{copy}")
    start, end, noise, lowest, highest, places = spec.path
    periods = _periods(spec)
    who = [None, *partners.values()] if spec.per_partner else [None]
    made = []
    for index, period in enumerate(periods):
        progress = index / max(1, len(periods) - 1)
        recorded = _recorded(period, rng)
        if recorded is None or (spec.late and period.quarter == Quarter(2022, 3)):
            continue
        figures = {}
        # Each council's figure first; the whole service's is their average.
        for partner in reversed(who):
            event = spec.events.get((period.code, partner.short_name) if partner else period.code)
            if event:
                actual, commentary = event
            elif partner is None and len(who) > 1:
                mean = sum(figures.values()) / len(figures)
                actual, commentary = D(str(round(mean, places))), ""
                actual = _kept_out_of_red(indicator, spec, targets, period, actual)
            else:
                base = start + (end - start) * progress
                if spec.unit == "number" and spec.activity:
                    base *= 1 + 0.08 * [0, 1, 0, -1][period.quarter.number - 1]  # busier in the summer
                actual = D(str(round(min(highest, max(lowest, base + rng.gauss(0, noise))), places)))
                actual, commentary = _kept_out_of_red(indicator, spec, targets, period, actual), ""
            figures[partner] = actual
            made.append(
                IndicatorValue(
                    indicator=indicator,
                    period_end=period.end,
                    partner=partner,
                    actual=actual,
                    commentary=commentary,
                    author=users[spec.owner],
                    created_at=recorded,
                )  # fmt: skip
            )
    return made


def _kept_out_of_red(indicator, spec, targets, period, actual: Decimal) -> Decimal:
    """Only the scripted events are red: a value the noise made red is moved to the amber side
    of the tolerance (so every red in the demo has its commentary)."""
    if spec.activity or not rules.rated_monthly(indicator):
        return actual
    target = rules.target_for(targets, period)
    if target is None or rules.rag_for(indicator, actual, target) != rules.RED:
        return actual
    shift = target.amber_limit / 2
    if spec.polarity == "lower":
        return target.target + shift
    if spec.polarity == "higher":
        return target.target - shift
    return target.target + (shift if actual > target.target else -shift)
