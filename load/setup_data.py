"""Load-test people and actions, added to a database that already has the demo.

50 officers each lead two actions of the 2022/23 plan (so every update they post
is to an action they lead), and 20 committee members read. Idempotent. Run by
load_test.py with DATABASE_URL pointing at the load database, never the demo's.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ictstrategy.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts import roles  # noqa: E402
from accounts.models import User  # noqa: E402
from actionplan.models import Action, ActionPlan  # noqa: E402
from themes.models import PartnerAuthority  # noqa: E402

PASSWORD = os.environ.get("LOAD_PASSWORD", "load-test passphrase 2023")
OFFICERS = int(os.environ.get("LOAD_OFFICERS", "50"))
COUNCILLORS = int(os.environ.get("LOAD_COUNCILLORS", "20"))
ACTIONS_EACH = 2


def _user(username: str, role: str, partner=None) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": "Load", "last_name": username, "email": f"{username}@load.example.org"},
    )
    if created:
        user.set_password(PASSWORD)
        user.partner = partner
        user.save()
        user.groups.add(Group.objects.get(name=role))
    return user


@transaction.atomic
def main() -> dict:
    plan = ActionPlan.objects.select_related("strategy").get(year=2022, strategy__status="active")
    themes = list(plan.strategy.themes.order_by("number"))
    partners = list(PartnerAuthority.objects.order_by("pk"))
    officers = {}
    for n in range(1, OFFICERS + 1):
        partner = partners[n % len(partners)]
        officer = _user(f"load-officer-{n:02d}", roles.OFFICER, partner)
        ids = []
        for k in range(1, ACTIONS_EACH + 1):
            action, _ = Action.objects.get_or_create(
                plan=plan,
                reference=f"L{n:02d}.{k}",
                defaults={
                    "theme": themes[(n + k) % len(themes)],
                    "title": f"Load-test action {n}.{k}",
                    "lead_officer": officer,
                    "start_date": "2022-04-01",
                    "due_date": "2023-03-31",
                },
            )
            action.partners.add(partner)
            ids.append(action.pk)
        officers[officer.username] = ids
    councillors = [
        _user(f"load-councillor-{n:02d}", roles.COMMITTEE_MEMBER).username for n in range(1, COUNCILLORS + 1)
    ]
    readable = list(Action.objects.filter(plan=plan).values_list("pk", flat=True))
    return {
        "password": PASSWORD,
        "officers": officers,
        "councillors": councillors,
        "readable_actions": readable,
    }


if __name__ == "__main__":
    print(json.dumps(main()))
