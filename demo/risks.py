# ruff: noqa: E501 (prose: each sentence stays on one line, to be read and edited whole)
"""The demo's risk register: a dozen strategic risks of an ICT shared service, written by hand.

Illustrative, not Mid Kent Services' real register. Each risk is reviewed by its owner
every quarter from when it was identified: a score changes only at the quarters its
story gives (with the reason), and stays put in between with the owner's note. Every
review of a reported (locked) quarter was approved before the quarter's board report;
in the demo's 2022/23 Q3 some are approved, some await sign-off, one was returned,
and three owners have not reviewed yet. `scale` copies the register for benchmarks.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from actionplan.models import Action
from core.quarters import Quarter, quarters_between
from risks.models import FurtherAction, ReviewSignOff, Risk, RiskReview

FIRST = Quarter(2019, 1)
CURRENT = Quarter(2022, 3)  # the quarter whose reviews are coming in at the demo date
E, P, N = "effective", "partial", "ineffective"


@dataclass(frozen=True)
class Step:
    """From `quarter` on (until the next step) the risk scores likelihood x impact."""

    quarter: Quarter
    likelihood: int
    impact: int
    effectiveness: str
    commentary: str
    controls: str = ""  # "" keeps the controls of the step before


@dataclass(frozen=True)
class RiskSpec:
    reference: str
    theme: int
    title: str
    owner: str
    cause: str
    event: str
    consequence: str
    appetite: int
    inherent: tuple[int, int]
    target: tuple[int, int]
    steady: str  # the owner's note in a quarter when nothing changed
    steps: tuple[Step, ...]
    current: str  # this quarter: "approved", "pending", "returned" or "" (not reviewed yet)
    actions: tuple[str, ...] = ()  # title words of the actions that mitigate it
    further: tuple[tuple[str, str, datetime.date], ...] = field(default=())  # description, owner, due


Q = Quarter
RISKS: list[RiskSpec] = [
    RiskSpec(
        "R01",
        3,
        "Ransomware attack encrypts the councils' systems",
        "jwhitfield",
        "Phishing e-mails, unpatched internet-facing systems and stolen passwords give criminals a way in.",
        "Ransomware encrypts servers and backups across the shared network.",
        "Council services stop for weeks, residents' data may be published, and recovery costs millions, as Redcar and Cleveland and Hackney found.",
        10,
        (5, 5),
        (2, 5),
        "Reviewed with the security team: phishing reports and patching are on target, so the score stands.",
        (
            Step(
                Q(2019, 1),
                3,
                5,
                P,
                "The register's first review: antivirus, monthly patching and nightly backups to disk at the Swale site, which share the network with the servers.",
                "Antivirus on every device; monthly patching; nightly backups to disk at Sittingbourne; staff phishing training each year.",
            ),
            Step(
                Q(2020, 1),
                4,
                5,
                P,
                "Risen: with everyone working from home, phishing aimed at councils has doubled, and the attack on Redcar and Cleveland in February shows what a successful one costs.",
            ),
            Step(
                Q(2021, 2),
                3,
                5,
                E,
                "Fallen: endpoint detection and response now runs on every laptop and server, and backups are copied to immutable cloud storage that an attacker cannot delete.",
                "Endpoint detection and response on every device, watched around the clock; immutable cloud backups; multi-factor sign-in for every account; monthly patching, critical fixes within 14 days.",
            ),
            Step(
                Q(2022, 1),
                3,
                4,
                E,
                "Fallen: a full restore of the revenues and benefits system from the immutable backups took 26 hours, so the impact of an attack is now major rather than catastrophic.",
            ),
        ),
        "pending",
        ("Cyber Essentials", "protective DNS", "cyber incident exercise", "Intune"),
        (
            (
                "Rehearse the restore of the social housing system from immutable backups",
                "officer",
                datetime.date(2023, 3, 31),
            ),
            (
                "Extend multi-factor sign-in to the remaining shared service accounts",
                "jwhitfield",
                datetime.date(2023, 2, 28),
            ),
        ),
    ),
    RiskSpec(
        "R02",
        3,
        "Loss of the Maidstone House data centre",
        "officer",
        "Most line-of-business servers run in one server room, with one power supply and one network route in.",
        "A fire, flood or long power cut takes the server room out.",
        "Most council systems are unavailable for days while servers are rebuilt elsewhere.",
        8,
        (3, 5),
        (1, 3),
        "No change: the Azure migration is on plan and the generator was tested this quarter.",
        (
            Step(
                Q(2019, 1),
                3,
                5,
                P,
                "The register's first review: the disaster recovery site at Sittingbourne holds backups but no spare servers, so a rebuild would take days.",
                "Generator and UPS tested every quarter; backups held at Sittingbourne; gas fire suppression in the server room.",
            ),
            Step(
                Q(2020, 3),
                2,
                5,
                P,
                "Fallen: the new UPS and a second network route into Maidstone House make a long outage less likely.",
            ),
            Step(
                Q(2021, 3),
                2,
                4,
                E,
                "Fallen: half of the line-of-business servers now run in Azure, so losing the server room would stop fewer services.",
                "Half the line-of-business servers in Azure across two regions; generator and UPS tested every quarter; second network route; backups at Sittingbourne and in the cloud.",
            ),
            Step(
                Q(2022, 2),
                2,
                3,
                E,
                "Fallen: the planning, revenues and housing systems have moved to Azure; what is left in the server room could be rebuilt in two days.",
            ),
        ),
        "pending",
        ("Move line-of-business servers to Azure", "storage area network"),
        (
            (
                "Move the last twelve servers out of the Maidstone House server room",
                "officer",
                datetime.date(2023, 6, 30),
            ),
        ),
    ),
    RiskSpec(
        "R03",
        3,
        "Failure of a key ICT supplier",
        "officer2",
        "Several council services depend on a handful of specialist software suppliers, some of them small.",
        "A key supplier fails, is taken over or stops supporting its product.",
        "A council service loses its system or its support with little warning, and an emergency replacement costs more.",
        12,
        (3, 4),
        (2, 3),
        "Supplier accounts and support performance were checked at the quarterly contract reviews: no change.",
        (
            Step(
                Q(2019, 1),
                2,
                4,
                P,
                "The register's first review: contracts with the main software suppliers are in place and reviewed each year.",
                "Annual financial checks of key suppliers; escrow for the revenues and benefits software; contract reviews each quarter.",
            ),
            Step(
                Q(2020, 1),
                3,
                4,
                P,
                "Risen: the pandemic has put smaller software suppliers under financial strain, and two have cut their support teams.",
            ),
            Step(
                Q(2022, 1),
                4,
                4,
                P,
                "Risen: the revenues and benefits supplier has been taken over and will not say how long the current product will be supported. Outside appetite: an exit plan is being drawn up.",
            ),
            Step(
                Q(2022, 3),
                3,
                4,
                P,
                "Fallen: the three councils agreed an exit plan in November, and the new owner has committed in writing to support the product until 2025.",
            ),
        ),
        "pending",
        ("online payments provider",),
        (
            (
                "Agree an exit plan for the revenues and benefits system with the three councils",
                "officer2",
                datetime.date(2023, 3, 31),
            ),
        ),
    ),
    RiskSpec(
        "R04",
        4,
        "Unable to recruit and keep skilled ICT staff",
        "manager",
        "Pay for cloud, security and development skills has risen faster than council pay scales.",
        "Posts stay vacant and experienced staff leave for the private sector.",
        "Projects slip, support slows and the shared service depends on a few people and on costly contractors.",
        9,
        (4, 4),
        (2, 3),
        "Vacancies and leavers were reviewed with HR: no change this quarter.",
        (
            Step(
                Q(2019, 1),
                3,
                3,
                P,
                "The register's first review: two vacancies in the infrastructure team, filled by contractors.",
                "Market supplements for hard-to-fill posts; apprenticeships; training budget for certifications.",
            ),
            Step(
                Q(2021, 3),
                4,
                3,
                P,
                "Risen: market pay for cloud and security roles is up by a fifth since last year, and three posts have had no suitable applicants.",
            ),
            Step(
                Q(2022, 2),
                4,
                4,
                N,
                "Risen: two more senior engineers have left, and only one person can now support the Azure platform. Outside appetite: a pay review for the technical roles goes to the board.",
            ),
        ),
        "pending",
        ("digital skills programme",),
        (
            (
                "Present a market pay review for technical roles to the Shared Services Board",
                "manager",
                datetime.date(2023, 3, 31),
            ),
            ("Take on two cloud engineering apprentices", "manager", datetime.date(2023, 9, 30)),
        ),
    ),
    RiskSpec(
        "R05",
        5,
        "Personal data breach",
        "dprice",
        "Staff handle large amounts of residents' personal data by e-mail and in shared folders.",
        "Personal data is sent to the wrong person, left open in a shared folder or stolen.",
        "Harm to residents, a report to the Information Commissioner, a possible fine and lost trust.",
        8,
        (4, 4),
        (2, 3),
        "Breach reports were reviewed at the information governance group: no change to the score.",
        (
            Step(
                Q(2019, 1),
                3,
                4,
                P,
                "The register's first review: most reported breaches are e-mails sent to the wrong address.",
                "Data protection training each year; breach reporting procedure; secure e-mail for partners.",
            ),
            Step(
                Q(2020, 4),
                2,
                4,
                E,
                "Fallen: sensitivity labels in Microsoft 365 now stop personal data leaving the councils unencrypted, and wrongly addressed e-mails have halved.",
                "Sensitivity labels and data loss prevention in Microsoft 365; annual training with a test; breach reporting procedure; secure e-mail for partners.",
            ),
        ),
        "approved",
        ("subject access request workflow", "data sharing"),
    ),
    RiskSpec(
        "R06",
        2,
        "Unsupported line-of-business system: the planning system",
        "officer2",
        "The planning and building control system used by the three councils reaches the end of its supplier's support.",
        "A fault or security flaw in the system cannot be fixed.",
        "Planning applications stop or are delayed, and the councils miss statutory deadlines.",
        6,
        (4, 4),
        (1, 3),
        "The replacement project is on its revised plan: no change.",
        (
            Step(
                Q(2019, 1),
                3,
                3,
                P,
                "The register's first review: the supplier supports the current version until March 2022.",
                "Support contract until March 2022; weekly patching by the supplier.",
            ),
            Step(
                Q(2020, 4),
                4,
                3,
                P,
                "Risen: the supplier has confirmed support ends in March 2022 and the replacement is not yet procured. Outside appetite: the procurement has been brought forward.",
            ),
            Step(
                Q(2022, 1),
                4,
                4,
                N,
                "Risen: the system is now out of support and the replacement has slipped to 2023. Outside appetite: extended support is being negotiated.",
            ),
            Step(
                Q(2022, 2),
                3,
                4,
                P,
                "Fallen: extended support has been bought until the new system goes live, and the replacement contract is signed. Still outside appetite until go-live.",
            ),
        ),
        "",
        ("planning and building control",),
        (
            (
                "Go live with the new planning and building control system",
                "officer2",
                datetime.date(2023, 5, 31),
            ),
        ),
    ),
    RiskSpec(
        "R07",
        2,
        "The partner councils' priorities diverge",
        "manager",
        "Each council sets its own budget and digital strategy, under different financial pressures.",
        "A council cuts its contribution, delays shared projects or leaves the shared service.",
        "The shared service loses economies of scale and the other councils' costs rise.",
        12,
        (3, 4),
        (2, 3),
        "Discussed with the three councils' directors: no change this quarter.",
        (
            Step(
                Q(2019, 1),
                2,
                3,
                E,
                "The register's first review: the three councils approved this strategy together.",
                "Shared Services Board each quarter; annual service plan agreed by the three councils; cost-sharing agreement.",
            ),
            Step(
                Q(2021, 1),
                3,
                3,
                P,
                "Risen: Tunbridge Wells is writing a digital strategy of its own, and its timetable differs from the shared plan.",
            ),
            Step(
                Q(2022, 2),
                3,
                4,
                P,
                "Risen: Swale has a budget gap and has asked to reduce its share of the service charge next year.",
            ),
        ),
        "returned",
    ),
    RiskSpec(
        "R08",
        3,
        "Loss of Public Services Network compliance",
        "jwhitfield",
        "The councils must pass an IT health check each year to stay connected to the Public Services Network.",
        "The health check finds serious issues and the compliance certificate is not renewed.",
        "The councils lose access to DWP and other government services they use every day.",
        6,
        (3, 4),
        (1, 4),
        "No change: the health check actions are on track.",
        (
            Step(
                Q(2019, 1),
                2,
                4,
                E,
                "The register's first review: the 2019 certificate was renewed in March.",
                "Annual IT health check; remediation plan tracked each month; patching of internet-facing systems.",
            ),
            Step(
                Q(2020, 3),
                3,
                4,
                P,
                "Risen: this year's health check found servers still on Windows Server 2008. Outside appetite until they are replaced.",
            ),
            Step(
                Q(2021, 1),
                2,
                4,
                E,
                "Fallen: the old servers have been replaced and the certificate was renewed in February.",
            ),
            Step(
                Q(2022, 1),
                1,
                4,
                E,
                "Fallen: the 2022 certificate was renewed at the first attempt, with no high findings.",
            ),
        ),
        "approved",
        ("Public Services Network",),
    ),
    RiskSpec(
        "R09",
        1,
        "Staff cannot work when remote access or Microsoft 365 fails",
        "officer",
        "Almost all council staff now work from home part of the week, through remote access and Microsoft 365.",
        "Remote access or Microsoft 365 is unavailable for a day or more.",
        "Staff cannot reach the systems they need and services to residents stop.",
        8,
        (4, 4),
        (2, 3),
        "Capacity and outages were reviewed: no change this quarter.",
        (
            Step(
                Q(2019, 1),
                2,
                3,
                E,
                "The register's first review: remote access is used by about 150 staff at a time.",
                "Remote access for 400 users; Microsoft 365 service health monitored.",
            ),
            Step(
                Q(2020, 1),
                4,
                4,
                N,
                "Risen: with lockdown, 1,100 staff need remote access at once and the service is full by 9am. Outside appetite: licences and capacity are being added.",
            ),
            Step(
                Q(2020, 2),
                3,
                4,
                P,
                "Fallen: remote access now takes 1,500 users, and Teams replaces most meetings in person. Still outside appetite until the new remote access service is in.",
            ),
            Step(
                Q(2021, 1),
                2,
                4,
                E,
                "Fallen: Always On VPN and Azure AD sign-in are live, with a second remote access route if the first fails.",
                "Always On VPN with a second route; Azure AD sign-in with multi-factor authentication; Microsoft 365 service health monitored; laptops for every member of staff.",
            ),
        ),
        "",
        ("Windows 11", "Teams Rooms"),
    ),
    RiskSpec(
        "R10",
        2,
        "Residents cannot pay or apply online",
        "nhussain",
        "Online payments and the councils' websites depend on one payments provider and one hosting company.",
        "The payments service or a website is down at a busy time, such as annual billing.",
        "Residents cannot pay or apply, calls to the contact centres rise, and income is delayed.",
        8,
        (3, 4),
        (1, 3),
        "Availability of the payments service and websites was checked: no change.",
        (
            Step(
                Q(2019, 1),
                3,
                3,
                P,
                "The register's first review: the payments service failed twice last year for several hours.",
                "Payments provider contract with an availability target; website hosting with daily backups.",
            ),
            Step(
                Q(2021, 2),
                2,
                3,
                E,
                "Fallen: the payments provider moved to a resilient cloud platform and has met its availability target for a year.",
            ),
            Step(
                Q(2022, 2),
                3,
                3,
                P,
                "Risen: the payments provider has given notice that it is leaving the local government market, and the new provider must be live before its contract ends. Outside appetite until the switch.",
            ),
            Step(
                Q(2022, 3),
                2,
                3,
                E,
                "Fallen: council tax and business rates payments moved to the new provider in November without a break in service; parking follows in January.",
            ),
        ),
        "pending",
        ("Replace the online payments provider", "Rebuild the Swale website"),
        (
            (
                "Switch council tax and parking payments to the new payments provider",
                "nhussain",
                datetime.date(2023, 3, 31),
            ),
        ),
    ),
    RiskSpec(
        "R11",
        4,
        "The service desk cannot meet demand at peak times",
        "lbennett",
        "Calls to the service desk peak at annual billing, elections and big system changes.",
        "Calls go unanswered and faults wait days to be fixed.",
        "Staff cannot work, and peak services such as elections and billing are put at risk.",
        9,
        (4, 3),
        (2, 2),
        "Call volumes and fix times were reviewed: no change this quarter.",
        (
            Step(
                Q(2019, 1),
                3,
                2,
                P,
                "The register's first review: calls at annual billing are twice the usual volume.",
                "Extra cover at annual billing and elections; knowledge base for common faults.",
            ),
            Step(
                Q(2020, 1),
                4,
                3,
                N,
                "Risen: home working has tripled calls, mostly about remote access and new laptops. Outside appetite: staff have been moved from projects to the desk.",
            ),
            Step(
                Q(2020, 4),
                3,
                3,
                P,
                "Fallen: calls are back to one and a half times the usual volume, and the new remote access service has cut the commonest faults.",
            ),
            Step(
                Q(2022, 1),
                2,
                3,
                E,
                "Fallen: the self-service portal now takes a third of requests, and Teams call queues share calls across the three sites.",
                "Self-service portal; Teams call queues; extra cover at annual billing and elections; knowledge base for common faults.",
            ),
            Step(
                Q(2022, 3),
                3,
                3,
                P,
                "Risen: the Windows 11 upgrades and the new planning system's training have raised calls by a third this quarter, and two posts on the desk are vacant. Extra cover is booked for annual billing.",
            ),
        ),
        "approved",
        ("service desk",),
    ),
    RiskSpec(
        "R12",
        5,
        "Records are kept too long or lost in a move",
        "dprice",
        "Records are spread over old file shares, paper archives and SharePoint, with retention applied by hand.",
        "Records are kept past their retention period, or lost when they are moved to SharePoint.",
        "The councils break data protection law, cannot answer requests for information, or lose records they must keep.",
        6,
        (3, 3),
        (1, 3),
        "Retention reports were reviewed at the information governance group: no change.",
        (
            Step(
                Q(2019, 1),
                3,
                3,
                P,
                "The register's first review: retention schedules exist but are applied only to paper records. Outside appetite until retention is automated.",
                "Retention schedules for each service; paper archive managed by records staff.",
            ),
            Step(
                Q(2022, 2),
                2,
                3,
                E,
                "Fallen: retention labels are applied in SharePoint and the first disposal of records past retention was signed off by the services.",
                "Retention labels in SharePoint with disposal reviews; retention schedules for each service; file shares read-only once moved.",
            ),
        ),
        "",
        ("Dispose of records past retention", "document archive"),
    ),
]

RETURN_REASON = "Please say what the board is being asked to decide about Swale's share of the service charge, and by when: the commentary does not say."


def load(strategy, users, *, scale: int = 1) -> int:
    """The register and its reviews (idempotent: a risk already there is left alone).
    Returns how many risks were created."""
    themes = {t.number: t for t in strategy.themes.all()}
    created = 0
    reviews: list[RiskReview] = []
    decisions: list[tuple[RiskReview, str, object]] = []
    for copy in range(scale):
        for spec in RISKS:
            reference = spec.reference if copy == 0 else f"{spec.reference}-{copy + 1}"
            if Risk.objects.filter(strategy=strategy, reference=reference).exists():
                continue
            risk = _risk(spec, strategy, themes, users, reference)
            created += 1
            for review, outcome in _reviews(spec, risk, users):
                reviews.append(review)
                if outcome:
                    decisions.append(
                        (review, outcome, users["admin"] if spec.owner == "manager" else users["manager"])
                    )
    bulk_create_with_history(reviews, RiskReview, batch_size=2000)
    for approver in {a for _, _, a in decisions}:
        rows = [
            ReviewSignOff(
                review=review,
                decision=outcome,
                reason=RETURN_REASON if outcome == "returned" else "",
                decided_by=approver,
                decided_at=review.created_at + datetime.timedelta(days=1, hours=3),
            )
            for review, outcome, who in decisions
            if who == approver
        ]
        bulk_create_with_history(rows, ReviewSignOff, batch_size=2000, default_user=approver)
    return created


def _risk(spec: RiskSpec, strategy, themes, users, reference: str) -> Risk:
    first = spec.steps[0]
    risk = Risk(
        strategy=strategy,
        theme=themes[spec.theme],
        reference=reference,
        title=spec.title,
        cause=spec.cause,
        event=spec.event,
        consequence=spec.consequence,
        owner=users[spec.owner],
        existing_controls=first.controls,
        appetite=spec.appetite,
        inherent_likelihood=spec.inherent[0],
        inherent_impact=spec.inherent[1],
        target_likelihood=spec.target[0],
        target_impact=spec.target[1],
        identified_on=first.quarter.first_day,
    )
    risk.full_clean()
    risk.save()
    if spec.actions:
        risk.mitigating_actions.set(_mitigations(strategy, spec))
    for description, owner, due in spec.further:
        FurtherAction.objects.create(risk=risk, description=description, owner=users[owner], due_date=due)
    return risk


def _mitigations(strategy, spec: RiskSpec) -> list[int]:
    """The latest few actions (of the last two plan years and the draft) whose titles name the
    risk's mitigations: a handful, at any scale."""
    recent = (
        Action.objects.filter(plan__strategy=strategy, plan__year__gte=2021)
        .order_by("-plan__year", "reference", "pk")
        .values_list("pk", "title")
    )
    words = [w.lower() for w in spec.actions]
    return [pk for pk, title in recent if any(w in title.lower() for w in words)][:MITIGATIONS]


MITIGATIONS = 8


def _reviews(spec: RiskSpec, risk: Risk, users):
    """Each quarter's review from the risk's first to the current quarter (the current one
    only if its owner has reviewed yet), with what sign-off decided (None: waiting)."""
    steps = {s.quarter: s for s in spec.steps}
    author = users[spec.owner]
    step, controls = spec.steps[0], spec.steps[0].controls
    for index, quarter in enumerate(quarters_between(spec.steps[0].quarter, CURRENT)):
        if quarter == CURRENT and not spec.current:
            return
        changed = quarter in steps
        if changed:
            step = steps[quarter]
            controls = step.controls or controls
        review = RiskReview(
            risk=risk,
            period=quarter.code,
            likelihood=step.likelihood,
            impact=step.impact,
            control_effectiveness=step.effectiveness,
            controls=controls,
            commentary=step.commentary if changed else spec.steady,
            author=author,
            created_at=_entered(quarter, index + int(spec.reference[1:3])),
            needs_sign_off=True,
        )
        if quarter < CURRENT:
            yield review, "approved"
        else:
            yield review, {"approved": "approved", "returned": "returned"}.get(spec.current)


def _entered(quarter: Quarter, n: int) -> datetime.datetime:
    """Within the first week after the quarter (its board report goes 15 days after it)."""
    day = quarter.last_day + datetime.timedelta(days=2 + n % 6)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9 + n % 7, 10 * (n % 6))))
