# ruff: noqa: E501 (prose: each sentence stays on one line, to be read and edited whole)
"""The sentences the demo's updates are written from (demo/story.py picks and fills them).

Each problem, partner story and closing line is used at most once in a plan, so no two
actions in a plan share a slip reason or read the same word for word. The stories are
illustrative, written to sound like a council's ICT programme: suppliers, staff,
procurement, elections, the pandemic and the chip shortage, each in the years it fits.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """What went wrong on an action, what is being done, and why its date moved."""

    cause: str
    response: str
    reason: str  # the revised due date's reason
    next_step: str
    fits: tuple[str, ...] = ()  # words one of which the action's text must contain (empty: any)
    periods: tuple[int, int] = (19001, 29994)  # the quarters (codes) it can happen in
    in_quarters: tuple[int, ...] = (1, 2, 3, 4)  # which quarters of a year
    years: tuple[int, ...] = ()  # which financial years (empty: any)

    def suits(self, text: str, period: int) -> bool:
        lowered = text.lower()
        in_time = self.periods[0] <= period <= self.periods[1] and period % 10 in self.in_quarters
        in_time = in_time and (not self.years or period // 10 in self.years)
        return in_time and (not self.fits or any(word in lowered for word in self.fits))


PROBLEMS = [
    Problem(
        "The supplier's lead consultant left in the middle of the work and their replacement is still learning the configuration.",
        "The supplier's account manager now joins a weekly checkpoint with us.",
        "The supplier replaced its lead consultant mid-project.",
        "Hold the supplier to the recovery plan agreed at the weekly checkpoints.",
    ),
    Problem(
        "Procurement took two months longer than planned because the first tender drew only one compliant bid.",
        "The work was re-tendered through a Crown Commercial Service framework, which drew four bids.",
        "The first tender had to be re-run through a framework.",
        "Award the contract and agree a start date with the winning bidder.",
    ),
    Problem(
        "Two of the three engineers on the work were moved to support the May elections.",
        "They return to the work in June and overtime has been approved for the catch-up.",
        "Engineers were moved to support the May elections.",
        "Bring the engineers back on to the work and replan the remaining tasks.",
        in_quarters=(1,),
        years=(2019, 2021, 2022),
    ),
    Problem(
        "User acceptance testing found eleven defects, two of them serious enough to stop go-live.",
        "The supplier has fixed one serious defect and is working on the other; retesting is booked.",
        "Serious defects were found in user acceptance testing.",
        "Retest the supplier's fixes and confirm the go-live date.",
        fits=(
            "system",
            "portal",
            "crm",
            "app",
            "platform",
            "tool",
            "form",
            "interface",
            "account",
            "website",
        ),
    ),
    Problem(
        "The network upgrade this work depends on has slipped, so the next stage cannot start.",
        "The two project managers now plan the stages together so the dependency is visible early.",
        "It depends on the network upgrade, which slipped.",
        "Start the next stage as soon as the network upgrade reaches the sites involved.",
        fits=("wi-fi", "network", "site", "office", "room", "laptop", "phone", "sensor", "device", "teams"),
    ),
    Problem(
        "The partners have not yet agreed how to share the cost of the second year's licences.",
        "A costed options paper goes to the finance directors at their next meeting.",
        "The partners' agreement on sharing the licence cost came later than planned.",
        "Take the cost-sharing options paper to the finance directors.",
        fits=("licence", "system", "platform", "tool", "microsoft", "service"),
    ),
    Problem(
        "Data migration trial runs showed that a third of the old records have missing or duplicated fields.",
        "A data cleansing sprint with the service team is under way before the final migration.",
        "Old records needed cleansing before they could be migrated.",
        "Finish the data cleansing sprint and run a final trial migration.",
        fits=("migrat", "records", "register", "gazetteer", "archive", "crm", "document"),
    ),
    Problem(
        "Legal review of the supplier's contract terms on data processing took longer than planned.",
        "The data processing agreement is now settled and waits only for signature.",
        "Legal review of the data processing terms took longer than planned.",
        "Sign the data processing agreement and issue the order.",
    ),
    Problem(
        "The service team could not release staff for training during its busiest period.",
        "Training has moved to quieter weeks and recorded sessions are available for those who miss them.",
        "The service team could not release staff for training in its peak period.",
        "Run the rescheduled training sessions with the service team.",
        fits=("training", "service", "crm", "portal", "forms", "contact centre"),
    ),
    Problem(
        "The supplier's new release, which the rollout needs, was delayed by the supplier by six weeks.",
        "We have a confirmed release date and a test environment booked for the week it arrives.",
        "The supplier delayed the software release the rollout needs.",
        "Install the supplier's release in the test environment and repeat the checks.",
        fits=("system", "portal", "crm", "software", "app", "platform", "tool"),
    ),
    Problem(
        "The project manager left the shared service and the post took three months to fill.",
        "A new project manager started last month and has re-baselined the plan.",
        "The project manager's post was vacant for three months.",
        "Confirm the re-baselined plan with the project board.",
    ),
    Problem(
        "The integration with the finance system failed its end-to-end tests.",
        "The two suppliers are fixing the interface together, with our integration lead in the room.",
        "The finance system interface failed its end-to-end tests.",
        "Repeat the end-to-end tests once both suppliers have delivered their fixes.",
        fits=(
            "payment",
            "finance",
            "grant",
            "council tax",
            "revenues",
            "benefit",
            "billing",
            "direct debit",
            "spending",
        ),
    ),
    Problem(
        "Staff and resources were redirected to the Covid-19 response and to getting everyone working from home.",
        "Work resumes as the emergency response steps down, starting with the tasks that need no site visits.",
        "Resources were redirected to the Covid-19 response.",
        "Restart the remaining tasks as staff return from the Covid-19 response.",
        periods=(20194, 20204),
    ),
    Problem(
        "Lockdown closed the offices where the remaining installations were planned.",
        "Installations are being rebooked around the councils' Covid-secure office rotas.",
        "Lockdown closed the offices where the work had to be done.",
        "Complete the installations under the Covid-secure office rotas.",
        fits=("install", "site", "office", "room", "printer", "wi-fi", "sensor", "scan", "archive"),
        periods=(20194, 20204),
    ),
    Problem(
        "The supplier cannot deliver the hardware before the new year because of the global chip shortage.",
        "We have accepted an alternative model that is available sooner and reordered.",
        "Hardware deliveries were delayed by the global chip shortage.",
        "Take delivery of the alternative model and restart the installations.",
        fits=(
            "laptop",
            "device",
            "phone",
            "switch",
            "firewall",
            "hardware",
            "screen",
            "storage",
            "sensor",
            "printer",
            "kit",
        ),
        periods=(20212, 20224),
    ),
    Problem(
        "The Log4j vulnerability in December took the infrastructure team off planned work for three weeks.",
        "Planned work restarted in January once every affected system was patched and checked.",
        "The team was diverted to the Log4j vulnerability response.",
        "Catch up the tasks postponed during the Log4j response.",
        fits=("server", "system", "network", "patch", "backup", "azure", "security", "firewall"),
        periods=(20213, 20214),
    ),
    Problem(
        "Energy and inflation pressures led the partners to pause spending while budgets were reviewed.",
        "The business case has been refreshed and the spend was released at the last finance meeting.",
        "Spending was paused while the partners reviewed budgets.",
        "Place the orders now that the spend has been released.",
        periods=(20222, 20224),
    ),
    Problem(
        "The pilot group's feedback showed the first design did not suit staff who work on site.",
        "The design has been changed with the pilot group and a second short pilot is running.",
        "The design was changed after the pilot group's feedback.",
        "Finish the second pilot and confirm the design with the service leads.",
        fits=("pilot", "trial", "design", "app", "booking", "form"),
    ),
    Problem(
        "A security review found the proposed configuration would expose an administrative interface to the internet.",
        "The design has been corrected and passed a second review by our security lead.",
        "The design had to be corrected after a security review.",
        "Build the corrected configuration and have it penetration tested.",
        fits=(
            "vpn",
            "firewall",
            "gateway",
            "cloud",
            "azure",
            "network",
            "portal",
            "account",
            "integration",
            "sign",
        ),
    ),
    Problem(
        "The building works at the site overran, so the equipment could not be fitted on the planned dates.",
        "Facilities have given us new access dates and the installer has confirmed them.",
        "Building works at the site overran.",
        "Fit the equipment on the new access dates.",
        fits=("install", "site", "office", "room", "wi-fi", "chamber", "depot", "building"),
    ),
    Problem(
        "The service's own restructure paused decisions on how the new process should work.",
        "The new service manager has agreed the process and named a lead for the work.",
        "Decisions waited for the service's restructure to finish.",
        "Work through the agreed process with the service's new lead.",
        fits=("process", "form", "workflow", "licensing", "housing", "planning", "revenues", "benefit"),
    ),
    Problem(
        "The supplier went into administration part way through the contract.",
        "The administrators sold the business to a competitor, who has agreed to honour the contract.",
        "The original supplier went into administration.",
        "Agree the transfer of the contract with the new owner.",
    ),
    Problem(
        "Performance tests showed the new system running too slowly at peak load.",
        "The supplier has added capacity and tuned the database; a repeat test is booked.",
        "Performance tests failed at peak load.",
        "Repeat the performance tests with the added capacity.",
        fits=("system", "portal", "crm", "platform", "account", "website", "gateway"),
    ),
    Problem(
        "Unions asked for more consultation on how the change affects staff working patterns.",
        "Consultation meetings are booked with the unions and HR is preparing the guidance they asked for.",
        "More consultation with the unions was needed.",
        "Finish the consultation and publish the agreed staff guidance.",
        fits=("staff", "policy", "working", "desk", "booking", "hybrid", "home"),
    ),
    Problem(
        "The licence quote at renewal was far higher than budgeted, so the order was held.",
        "We negotiated a three-year term that brings the price within budget.",
        "The order was held while a higher licence quote was negotiated.",
        "Place the order on the negotiated three-year term.",
        fits=("licence", "microsoft", "platform", "tool", "software"),
    ),
    Problem(
        "The old system's supplier will not release the data export format without a paid change request.",
        "The change request has been raised and paid for; the export is promised within six weeks.",
        "The old supplier charged for the data export and delayed it.",
        "Test the data export when the old supplier delivers it.",
        fits=("replace", "migrat", "archive", "crm", "move"),
    ),
    Problem(
        "Several services asked for changes after sign-off of the requirements.",
        "A change board now decides each request, and the agreed changes are scheduled for a later release.",
        "Services asked for changes after the requirements were signed off.",
        "Deliver the agreed scope and schedule the later changes as a second release.",
        fits=("system", "crm", "portal", "forms", "website", "app", "platform"),
    ),
    Problem(
        "The external accreditation body could not offer an assessment date until well after our target.",
        "We have booked the first date offered and are using the wait to close the remaining gaps.",
        "The accreditation body's first available date was later than planned.",
        "Close the remaining gaps before the assessment date.",
        fits=("cyber essentials", "certification", "accreditation", "public services network"),
    ),
    Problem(
        "Key staff in the service were off sick for long spells this quarter.",
        "The service has backfilled the role with an interim for the rest of the work.",
        "Long-term sickness in the service slowed the work.",
        "Bring the interim up to speed and resume the weekly meetings.",
    ),
    Problem(
        "The hosting provider's new data centre region was not ready when promised.",
        "The provider has given a firm date and we will migrate in the first available window after it.",
        "The hosting provider's new region was late.",
        "Book the migration window once the hosting provider's region is live.",
        fits=("cloud", "azure", "hosting", "colocation", "data centre", "backup"),
    ),
    Problem(
        "A competing priority, the year-end closedown, took the finance team's testers away for a month.",
        "The finance team has protected two days a week for testing from next month.",
        "Finance testers were needed for the year-end closedown.",
        "Complete testing in the finance team's protected testing days.",
        fits=("finance", "payment", "revenues", "council tax", "benefit", "billing", "grant", "spending"),
        in_quarters=(4, 1),
    ),
    Problem(
        "Ordnance Survey changed its data licence terms, and the data feed had to be approved again.",
        "The new terms have been accepted and the feed was switched back on.",
        "The data feed had to be approved again under new licence terms.",
        "Reload the data feed and check the results against the old extract.",
        fits=("gazetteer", "llpg", "address", "planning", "land"),
    ),
    Problem(
        "The first configuration broke printing for two services during the pilot.",
        "The pilot was rolled back for those services and a fix has been tested with them.",
        "The pilot configuration broke printing for two services.",
        "Redeploy with the printing fix and extend the pilot.",
        fits=("laptop", "windows", "print", "intune", "device", "vpn", "upgrade"),
    ),
]


# Why one council's part runs behind the others: per council short name.
@dataclass(frozen=True)
class PartnerStory:
    why: str  # why this council is behind, as one sentence
    reason: str  # the council's revised due date's reason
    done: str  # the sentence when it catches up


PARTNER_STORIES = {
    "SBC": [
        PartnerStory(
            "Swale's go-live waits for the Sittingbourne office move, when its teams move floors in Swale House.",
            "Swale's go-live follows the Sittingbourne office move.",
            "Swale went live after the Sittingbourne office move.",
        ),
        PartnerStory(
            "Swale's service asked to wait until its council tax annual billing run is finished.",
            "Swale asked to go live after its annual billing run.",
            "Swale went live once its annual billing run was done.",
        ),
        PartnerStory(
            "Swale's depot at Sittingbourne needs a new broadband line before the work can go ahead there.",
            "Swale's depot needed a new broadband line first.",
            "Swale's depot line was installed and the work there is finished.",
        ),
        PartnerStory(
            "Swale is completing a restructure of the service concerned, so its staff are trained later.",
            "Swale's service restructure moved its training later.",
            "Swale's staff were trained after the restructure and are now live.",
        ),
    ],
    "TWBC": [
        PartnerStory(
            "Tunbridge Wells's part is held until the Town Hall works are finished and staff are back in the building.",
            "Tunbridge Wells waited for the Town Hall works to finish.",
            "Tunbridge Wells finished once staff were back in the Town Hall.",
        ),
        PartnerStory(
            "Tunbridge Wells's service wanted an extra month of parallel running before switching over.",
            "Tunbridge Wells asked for an extra month of parallel running.",
            "Tunbridge Wells switched over after its extra month of parallel running.",
        ),
        PartnerStory(
            "Tunbridge Wells needs its own Cabinet decision on the change, which is on the next agenda.",
            "Tunbridge Wells needed a Cabinet decision first.",
            "Tunbridge Wells's Cabinet approved the change and it is now in place.",
        ),
        PartnerStory(
            "Tunbridge Wells's data needed more cleansing than the other councils' before it could move.",
            "Tunbridge Wells's data needed extra cleansing.",
            "Tunbridge Wells's cleansed data has moved and the work is finished there.",
        ),
    ],
    "MBC": [
        PartnerStory(
            "Maidstone's part waits for the Maidstone House floor refit, which moved two teams temporarily.",
            "Maidstone waited for the Maidstone House floor refit.",
            "Maidstone finished once the Maidstone House refit was done.",
        ),
        PartnerStory(
            "Maidstone's service is short-staffed after two leavers and asked for a later date.",
            "Maidstone's service asked for a later date after two leavers.",
            "Maidstone's service has recruited and is now live.",
        ),
        PartnerStory(
            "Maidstone needs its Policy and Resources Committee to agree the change of policy first.",
            "Maidstone needed its Policy and Resources Committee's agreement.",
            "Maidstone's committee agreed the change and it is now in place.",
        ),
        PartnerStory(
            "Maidstone's link to the Kent Public Services Network is being upgraded, which holds up its part.",
            "Maidstone's network link upgrade came first.",
            "Maidstone's upgraded link is in and its part is finished.",
        ),
    ],
}

PLACE = {"MBC": "Maidstone", "SBC": "Swale", "TWBC": "Tunbridge Wells"}

# Green, in progress, first stage: {cur} the stage under way.
GREEN_FIRST = [
    "{Cur} {cur_is} under way and on schedule.",
    "Work began with {cur}; no issues so far.",
    "{Cur} started this quarter and {cur_is} going to plan.",
    "{Cur} {cur_is} progressing well, with {pct}% of the action done.",
    "On track: {cur} {cur_is} going as planned.",
]
# Green, in progress, a later stage: {done} the stage finished, {cur} the one under way.
GREEN_LATER = [
    "{Done} {done_is} finished and {cur} {cur_is} under way.",
    "On track: {done} {done_was} signed off in {month}, and {cur} {cur_has} started.",
    "{Cur} {cur_is} going to plan now that {done} {done_is} complete.",
    "Progress is as planned. With {done} complete, the team has moved on to {cur}; {pct}% done overall.",
    "{Done} {done_is} complete. {Cur} {cur_is} next and {cur_has} started on time.",
]
# Green again after a revised date.
GREEN_REVISED = [
    "Back on track for the revised date of {revised}: {cur} {cur_is} under way.",
    "Working to the revised date of {revised}, {cur} {cur_is} progressing as replanned.",
    "Recovered since the delay: {cur} {cur_is} going to plan for {revised}.",
]
# An extra sentence some green updates carry.
GREEN_COLOUR = [
    "Feedback from staff so far is positive.",
    "Spend is within the approved budget.",
    "The partners' project leads met in {month} and agreed the approach.",
    "Risks are reviewed each fortnight with the project board.",
    "Staff were told about the change through the intranet and team briefings.",
    "The service leads have signed off the plan for the next stage.",
    "",
    "",
]
MID_QUARTER = [
    "Mid-quarter note: {cur} {cur_is} progressing; the full update follows at quarter end.",
    "Interim update for {quarter}: {cur} {cur_is} going as planned.",
    "Quick update ahead of the {quarter} return: {cur} {cur_is} going well.",
]
GREEN_NEXT = [
    "Complete {cur} and start {nxt}.",
    "Finish {cur} by the end of {endmonth}, then move on to {nxt}.",
    "Start {nxt} once {cur} {cur_is} signed off.",
]
GREEN_NEXT_LAST = [
    "Finish {cur} and close the action by {due}.",
    "Complete {cur}, then hand over to business as usual.",
    "Complete {cur} and report the action complete by {due}.",
]
COMPLETED = [
    "Completed in {month}: {last} {last_is} done and the action is closed.",
    "Delivered: {last} finished in {month}.",
    "Complete. {Last} {last_was} signed off in {month}.",
]
COMPLETED_LATE = [
    "Completed in {month}, by the revised date of {revised} rather than the original {due}: {last} {last_is} done.",
    "Delivered in {month} against the revised date of {revised}; {last} {last_is} finished.",
]
CLOSING = [
    "Support passes to the service desk.",
    "Benefits will be tracked through the service plan.",
    "Lessons learned go to the next Shared Services Board.",
    "The project board has signed off the closure report.",
    "The old arrangements have been switched off.",
    "User feedback after go-live has been good.",
    "The work came in within budget.",
    "Thanks go to the service teams for their time in testing.",
    "Documentation is on the ICT intranet pages.",
    "A post-implementation review is booked in three months.",
    "The remaining budget is returned to the ICT reserve.",
    "Training materials stay available on the learning portal.",
    "Service levels are now reported monthly.",
    "The risk it addressed is closed on the register.",
    "Staff were thanked at the team briefings.",
    "The supplier's support contract starts now.",
]
# Red, after a revised date was missed too.
ESCALATION = [
    "The Head of ICT has asked the supplier for a recovery plan.",
    "A decision on the action's future goes to the next Shared Services Board.",
    "Staff have been moved from other work to help catch up.",
    "The project board now meets weekly until it is back on track.",
    "The sponsor has been asked to confirm the action is still a priority.",
    "Options to reduce the scope go to the project board this month.",
    "The partners' directors have been briefed and support a new plan.",
    "An independent review of the plan has been commissioned.",
]
CANCELLED = [
    "Cancelled by the Shared Services Board in {month}: a national service now does this job.",
    "Cancelled in {month} at {pct}% complete: the partners chose to put the money into higher priorities.",
    "Cancelled by the Shared Services Board in {month}: the supplier withdrew the product from the UK market.",
    "Cancelled in {month}: the service it was for has been brought into a wider contract.",
    "Cancelled by the board in {month}: a review found the benefits would not justify the cost.",
]
DEFERRED = [
    "Deferred to {next} by the Shared Services Board in {month} to free staff for higher priorities; work stops at {pct}%.",
    "Deferred to {next} in {month}: the service asked to wait until its restructure is finished.",
    "Deferred to {next} in {month} so that it can follow the network upgrade it depends on.",
    "Deferred to {next} by the board in {month} while funding for the next stage is agreed.",
]
