"""Who may do what: the one place pages, the API and tasks ask.

Roles are groups (accounts.roles). Model permissions say what a role may do in
general; these functions add the object-level rules (an officer updates only the
actions they lead). Every function takes the user first and never raises.
"""

from __future__ import annotations

from accounts import roles


def _groups(user) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cached = getattr(user, "_portal_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._portal_groups = cached
    return cached


def is_administrator(user) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False)) or (
        roles.ADMINISTRATOR in _groups(user)
    )


def is_officer(user) -> bool:
    return roles.OFFICER in _groups(user)


def has_portal_role(user) -> bool:
    """Any signed-in user with a role reads the whole portal; others see nothing."""
    return is_administrator(user) or bool(_groups(user) & set(roles.ROLES))


def can_view_action(user, action=None) -> bool:
    return has_portal_role(user)


def can_update_action(user, action) -> bool:
    if is_administrator(user):
        return True
    return is_officer(user) and action.lead_officer_id == user.pk


def can_manage_plan(user, plan=None) -> bool:
    return is_administrator(user)


def can_view_reports(user) -> bool:
    return has_portal_role(user)


def can_request_reports(user) -> bool:
    """Request, preview, send and retry board reports; lock quarters."""
    return is_administrator(user)


def can_lock_quarters(user) -> bool:
    return is_administrator(user)


def can_chase_updates(user) -> bool:
    """See who is missing a quarterly update and remind them now."""
    return is_administrator(user)


def can_view_audit(user) -> bool:
    """Read the audit history: who changed what, and when."""
    return is_administrator(user)


def can_set_up_two_factor(user) -> bool:
    """Set up or remove a TOTP second factor (optional, for administrators: ASVS 2.8)."""
    return is_administrator(user)


def can_change_own_password(user) -> bool:
    """Change one's own password (ASVS 2.1.5): anyone with a role."""
    return has_portal_role(user)


def is_approver(user) -> bool:
    """Has a sign-off queue: an administrator, or someone given approval for a theme."""
    if is_administrator(user):
        return True
    return roles.APPROVER in _groups(user) and user.approved_themes.exists()


def approvers():
    """is_approver as a query: the active users who sign off something, in one query."""
    from django.db.models import Q

    from accounts.models import User

    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__name=roles.ADMINISTRATOR)
            | Q(groups__name=roles.APPROVER, approved_themes__isnull=False)
        )
        .distinct()
    )


def approved_theme_ids(user) -> set[int] | None:
    """The themes whose updates `user` signs off: None for every theme (administrators)."""
    if is_administrator(user):
        return None
    if roles.APPROVER not in _groups(user):
        return set()
    return set(user.approved_themes.values_list("pk", flat=True))


def can_sign_off(user, update, *, theme_ids: set[int] | None | bool = False) -> bool:
    """Approve or return `update`: an administrator or an approver of its action's theme,
    and never its author (nobody signs off their own update). `theme_ids` is
    approved_theme_ids(user) when the caller already has it (one query for many updates)."""
    return may_sign_off(
        user, author_id=update.author_id, theme_id=update.action.theme_id, theme_ids=theme_ids
    )


def may_sign_off(user, *, author_id: int, theme_id: int, theme_ids: set[int] | None | bool = False) -> bool:
    """The sign-off rule for anything submitted (an update, a risk review...): an
    administrator or an approver of its theme, and never its author."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or author_id == user.pk:
        return False
    themes = approved_theme_ids(user) if theme_ids is False else theme_ids
    return themes is None or theme_id in themes


# --- risks ---


def can_view_risks(user) -> bool:
    """Read the risk register, its heat map and each risk's page: anyone with a role."""
    return has_portal_role(user)


def can_review_risk(user, risk) -> bool:
    """Add a quarterly review of `risk`: its owner (while they hold a role), or an administrator."""
    if is_administrator(user):
        return True
    return has_portal_role(user) and risk.owner_id == user.pk


def can_manage_risks(user) -> bool:
    """Set up risks, their bands and further actions; import and export the register."""
    return is_administrator(user)


def can_sign_off_review(user, review, *, theme_ids: set[int] | None | bool = False) -> bool:
    """Approve or return a risk review: may_sign_off, for its risk's theme."""
    return may_sign_off(user, author_id=review.author_id, theme_id=review.risk.theme_id, theme_ids=theme_ids)


# --- indicators ---


def can_view_indicators(user, indicator=None) -> bool:
    """Every signed-in role reads the scorecard and each indicator's history."""
    return has_portal_role(user)


def can_record_indicator_value(user, indicator) -> bool:
    """Record a value: the indicator's owner (while they have a role) and administrators."""
    if is_administrator(user):
        return True
    return has_portal_role(user) and indicator.owner_id == user.pk


def can_import_indicator_values(user) -> bool:
    """Import many indicators' values at once (the admin's import): administrators."""
    return is_administrator(user)
