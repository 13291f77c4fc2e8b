"""The demo's fixed cast: councils, themes, people and the board's distribution list.

Illustrative, not Mid Kent Services' real records. The actions are in demo/plans.py and
the sentences their updates are written from in demo/words.py.
"""

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
    # Signs off updates for all six themes (the strategy's sign-off is on in the demo).
    ("manager", "Rachel", "Tanner", "ICT Service Manager, Mid Kent Services", "SBC", "Approver"),
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

# Why an approver returned an update, in the demo's 2022/23 Q3 (the update's author corrects it).
RETURN_REASONS = [
    "The commentary says the go-live has moved, but the update gives no revised date: please add "
    "the new date and the reason for it.",
    "Please say which council is behind and what is being done about it: the board will ask.",
]
