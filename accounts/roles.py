"""The portal's roles, as Django groups with model permissions.

Groups are (re)made after every migrate, so a new permission reaches its role
without a hand-written data migration. What a role may do to one object (an
officer updates only the actions they lead) is answered by accounts.access.
"""

from django.contrib.auth.models import Group, Permission

ADMINISTRATOR = "Administrator"
OFFICER = "Officer"
COMMITTEE_MEMBER = "Committee member"
BOARD_MEMBER = "Board member"
# Signs off updates for the themes they are given (themes.Theme.approvers).
APPROVER = "Approver"
ROLES = [ADMINISTRATOR, OFFICER, COMMITTEE_MEMBER, BOARD_MEMBER, APPROVER]

_DOMAIN_APPS = ["themes", "actionplan", "reporting", "accounts"]
_DOMAIN_APPS += ["risks"]  # the risk register: administrators set it up in the admin
_READ_MODELS = [
    "partnerauthority",
    "strategy",
    "theme",
    "actionplan",
    "action",
    "progressupdate",
    "quarterlock",
]


def _perms(codenames):
    return list(Permission.objects.filter(content_type__app_label__in=_DOMAIN_APPS, codename__in=codenames))


def ensure_roles(**kwargs):
    """Create or refresh the four role groups and their permissions. Idempotent."""
    view_domain = [f"view_{m}" for m in _READ_MODELS]
    wanted = {
        ADMINISTRATOR: list(
            Permission.objects.filter(
                # otp_totp: see who has a second factor, and remove a lost one.
                content_type__app_label__in=[*_DOMAIN_APPS, "authtoken", "axes", "auth", "otp_totp"]
            )
        ),
        OFFICER: _perms([*view_domain, "add_progressupdate", "view_boardreport"]),
        COMMITTEE_MEMBER: _perms([*view_domain, "view_boardreport"]),
        BOARD_MEMBER: _perms([*view_domain, "view_boardreport"]),
        APPROVER: _perms([*view_domain, "view_boardreport"]),
    }
    for name, permissions in wanted.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)
