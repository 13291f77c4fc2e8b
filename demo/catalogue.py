"""Illustrative content for the demo: realistic council ICT work, not real MKS plans."""

PARTNERS = [
    ("Maidstone Borough Council", "MBC", "maidstone"),
    ("Swale Borough Council", "SBC", "swale"),
    ("Tunbridge Wells Borough Council", "TWBC", "tunbridge-wells"),
]

THEMES_2019 = [
    (
        "Enabling a modern and flexible workforce",
        "People reach the partnership's systems on any device, at any time, from wherever "
        "they choose to work.",
    ),
    (
        "Supporting the delivery of our digital strategies",
        "ICT and digital teams together transform online and back-office services for a "
        "better customer experience.",
    ),
    ("Resilient solutions", "Protecting technical resources from external threats."),
    ("Improving customer support", "Support that fits a distributed, flexibly working workforce."),
    (
        "Information management",
        "Collecting, storing, managing, protecting and sharing information in the age of big data and GDPR.",
    ),
    ("Innovation", "Trying what new advances in technology can offer."),
]

THEMES_2013 = [
    ("Shared infrastructure", "One network and data centre for the three partners."),
    ("Common applications", "Converging line-of-business systems across the partnership."),
    ("Channel shift", "Moving customer contact online."),
    ("Value for money", "Reducing the cost of ICT through shared contracts."),
]

# (username, first, last, job title, partner short name, role)
PEOPLE = [
    ("admin", "Sarah", "Okafor", "Head of ICT, Mid Kent Services", "MBC", "Administrator"),
    ("officer", "Priya", "Shah", "Infrastructure Manager", "MBC", "Officer"),
    ("officer2", "Gareth", "Lewis", "Applications Manager", "SBC", "Officer"),
    (
        "councillor",
        "Helen",
        "Morris",
        "Councillor, Policy and Resources Committee",
        "MBC",
        "Committee member",
    ),
    ("board", "Andrew", "Clarke", "Member, MKS Shared Services Board", "TWBC", "Board member"),
    ("jwhitfield", "James", "Whitfield", "Security and Compliance Lead", "TWBC", "Officer"),
    ("lbennett", "Laura", "Bennett", "Service Desk Manager", "MBC", "Officer"),
    ("dprice", "Daniel", "Price", "Information Governance Manager", "SBC", "Officer"),
    ("nhussain", "Nadia", "Hussain", "Digital Services Lead", "TWBC", "Officer"),
]

DEMO_PASSWORD = "demo-portal-2019"

RECIPIENTS = [
    ("Andrew Clarke", "andrew.clarke@board.example.org", "Board member"),
    ("Margaret Ellis", "margaret.ellis@board.example.org", "Chair, MKS Shared Services Board"),
    ("Robert Singh", "robert.singh@board.example.org", "Director of Finance, Swale"),
    ("Catherine Doyle", "catherine.doyle@board.example.org", "Director, Tunbridge Wells"),
]

# Per theme: (title, what is delivered, unit for commentary, usual leads)
ACTIONS = {
    1: [
        ("Replace desktop PCs with laptops for all office staff", "laptops issued", "officer"),
        ("Roll out Microsoft Teams for calls, chat and meetings", "teams migrated", "officer"),
        ("Replace desk phones with softphones in Teams", "users moved to softphones", "officer"),
        ("Refresh Wi-Fi in council offices and depots", "sites refreshed", "officer"),
        ("Provide always-on VPN for remote working", "devices enrolled", "officer"),
        ("Deploy mobile device management for council phones", "phones enrolled", "jwhitfield"),
        ("Introduce hot-desk booking for the Maidstone House office", "floors live", "lbennett"),
        ("Upgrade meeting rooms for hybrid committee meetings", "rooms upgraded", "officer"),
        ("Move staff file shares to OneDrive", "teams migrated", "dprice"),
        ("Windows 11 upgrade programme", "devices upgraded", "officer"),
    ],
    2: [
        ("Replace the customer relationship management system", "services moved", "officer2"),
        ("Launch a single online forms platform", "forms published", "nhussain"),
        ("Integrate the revenues and benefits customer portal", "services integrated", "officer2"),
        ("Move planning applications online with the national portal", "workflows live", "nhussain"),
        ("Introduce online booking for bulky waste collections", "booking types live", "nhussain"),
        ("Build an API gateway for line-of-business systems", "integrations live", "officer2"),
        ("Replace the housing register system", "modules live", "officer2"),
        ("Digitise licensing applications", "licence types online", "nhussain"),
        ("Consolidate council websites on one content platform", "sites migrated", "nhussain"),
        ("Automate council tax direct debit changes", "processes automated", "officer2"),
    ],
    3: [
        ("Achieve Cyber Essentials Plus certification", "controls evidenced", "jwhitfield"),
        ("Maintain Public Services Network compliance", "remediation items closed", "jwhitfield"),
        ("Move backups to immutable cloud storage", "systems protected", "officer"),
        ("Test the ICT disaster recovery plan", "services tested", "officer"),
        ("Enforce multi-factor authentication for all staff", "users enrolled", "jwhitfield"),
        ("Automate monthly patching of servers", "servers in scope", "officer"),
        ("Replace end-of-life firewalls", "sites cut over", "officer"),
        ("Run phishing awareness training for all staff", "staff trained", "jwhitfield"),
        ("Retire unsupported Windows Server 2012 systems", "servers retired", "officer"),
        ("Deploy endpoint detection and response", "devices protected", "jwhitfield"),
    ],
    4: [
        ("Replace the IT service management tool", "processes migrated", "lbennett"),
        ("Launch a self-service portal for the IT service desk", "request types online", "lbennett"),
        ("Offer out-of-hours support for election nights", "events covered", "lbennett"),
        ("Publish a service catalogue with service levels", "services catalogued", "lbennett"),
        ("Introduce remote support tools for home workers", "engineers trained", "lbennett"),
        ("Survey customer satisfaction with ICT each quarter", "surveys completed", "lbennett"),
        ("Create a knowledge base of self-help articles", "articles published", "lbennett"),
        ("Set up a walk-in ICT help point in each council office", "help points open", "lbennett"),
        ("Improve new starter and leaver processes", "steps automated", "lbennett"),
        ("Reduce first-time fix backlog", "tickets cleared", "lbennett"),
    ],
    5: [
        ("Migrate document management to SharePoint Online", "departments migrated", "dprice"),
        ("Automate records retention and disposal", "record types covered", "dprice"),
        ("Complete GDPR information asset registers", "assets registered", "dprice"),
        ("Build a shared data warehouse for performance reporting", "data sets loaded", "dprice"),
        ("Publish open data sets on the council websites", "data sets published", "dprice"),
        ("Introduce data protection impact assessment workflow", "assessments online", "dprice"),
        ("Scan and index the planning archive", "files digitised", "dprice"),
        ("Roll out sensitivity labels for documents and e-mail", "labels in use", "dprice"),
        ("Consolidate address data with the local land and property gazetteer", "systems linked", "dprice"),
        ("Replace the freedom of information case system", "teams live", "dprice"),
    ],
    6: [
        ("Pilot a chatbot for council tax enquiries", "intents answered", "nhussain"),
        ("Pilot robotic process automation in revenues", "processes automated", "officer2"),
        ("Trial air quality sensors in town centres", "sensors reporting", "officer"),
        ("Review cloud hosting options for line-of-business systems", "systems assessed", "officer"),
        ("Trial smart bins to plan collection rounds", "bins fitted", "nhussain"),
        ("Pilot AI transcription of committee meetings", "meetings transcribed", "nhussain"),
        ("Explore low-code tools for service teams", "apps built", "officer2"),
        ("Trial LoRaWAN sensors for damp in council housing", "homes monitored", "officer"),
        ("Pilot digital signatures for contracts", "contracts signed", "dprice"),
        ("Run an innovation lab with local colleges", "ideas tested", "nhussain"),
    ],
}

GREEN_NOTES = [
    "On track. {done} {unit} so far; work is going to plan.",
    "Good progress this quarter: {done} {unit}. No issues to report.",
    "Delivery on schedule. Supplier workshops held and {done} {unit}.",
    "Work continues as planned with {done} {unit}; user feedback is positive.",
]
AMBER_NOTES = [
    "Supplier has missed two milestones; {done} {unit} so far. Recovery plan agreed.",
    "Staff availability during elections has slowed progress ({done} {unit}).",
    "Procurement took longer than planned; {done} {unit}. Timetable under review.",
    "Dependency on the network upgrade is delaying the next phase; {done} {unit}.",
]
RED_NOTES = [
    "Supplier went into administration; work stopped at {done} {unit}. Options paper going to the board.",
    "Critical defects found in testing; go-live postponed. {done} {unit} to date.",
    "Budget pressure: the partners have not yet agreed funding for the next phase.",
    "Key specialist left; recruitment under way and progress paused at {done} {unit}.",
]
NEXT_STEPS = [
    "Complete the next phase and report back to the board.",
    "Agree the revised plan with the supplier and partner leads.",
    "Finish user acceptance testing and confirm go-live dates.",
    "Communicate the changes to staff and run drop-in sessions.",
]
SLIP_REASONS = [
    "Supplier delivery delayed by component shortages.",
    "Resources moved to support the elections.",
    "Waiting on the partner councils to agree funding.",
    "Dependency on another project that has slipped.",
]
COMPLETED_NOTES = [
    "Completed. All {unit} delivered and signed off by the partners.",
    "Delivered and closed; benefits to be tracked through the service plan.",
]
PARTNER_NOTES = [
    "{partner}: delivery here is behind the other partners because of building works.",
    "{partner}: the local service has asked to delay go-live until after year end.",
]
