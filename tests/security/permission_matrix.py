"""Who may do what, route by route: the table the route-walking test checks.

Every route Django resolves must have an entry here, keyed by its name
("namespace:name"); a new route without one fails tests/security/test_route_matrix.py.
To add a route: add a line to MATRIX with its example path and, for each method,
what each role gets. The admin site is one entry (ADMIN_PREFIX): every admin
view is checked to refuse anyone who is not an administrator.

Roles (fixtures in tests/conftest.py): anonymous; the officer who leads the
example action ("officer"); an officer at another council who does not
("other_officer"); a committee member; a board member; an approver, who signs off
the example theme's updates; an administrator.

Expected outcomes: an HTTP status, or SIGN_IN (a redirect to the sign-in page).
A method a route does not accept is 405 for everyone signed in: Django answers
it before any view code runs, so it reveals nothing.
"""

from __future__ import annotations

ROLES = (
    "anonymous",
    "officer",
    "other_officer",
    "committee_member",
    "board_member",
    "approver",
    "administrator",
)
SIGN_IN = "sign-in"

# Placeholders in paths, filled from the test's objects: {action} is led by the
# officer; {other_action} by the other officer; {report} is a ready board report;
# {update} is the officer's update on {action}, awaiting sign-off.
ADMIN_PREFIX = "admin/"


def outcome(
    anonymous, officer, other_officer, committee_member, board_member, administrator, *, approver=None
) -> dict:
    """What each role gets. An approver (who signs off the example theme's updates) reads
    like a committee member unless said otherwise."""
    approver = committee_member if approver is None else approver
    return dict(
        zip(
            ROLES,
            (anonymous, officer, other_officer, committee_member, board_member, approver, administrator),
            strict=True,
        )
    )


def approvers(status=200, *, refused=403, anonymous=SIGN_IN):
    """Those who sign off updates: the theme's approver and administrators."""
    return outcome(anonymous, refused, refused, refused, refused, status, approver=status)


def everyone(status=200, *, anonymous=SIGN_IN):
    """Any role reads it; anonymous visitors are sent to sign in."""
    return outcome(anonymous, status, status, status, status, status)


def administrators(status=200, *, refused=403, anonymous=SIGN_IN):
    return outcome(anonymous, refused, refused, refused, refused, status)


def lead_and_administrators(status=200, *, anonymous=SIGN_IN):
    """Only the action's lead officer and administrators: the object-level rule."""
    return outcome(anonymous, status, 403, 403, 403, status)


def officers(status=200, *, anonymous=SIGN_IN):
    """Any officer (it lists their own things) and administrators."""
    return outcome(anonymous, status, status, 403, 403, status)


def public(status=200):
    return outcome(status, status, status, status, status, status)


def same(status):
    return public(status)


# The API answers 401 (not a redirect) to anonymous callers.
API = {"anonymous": 401}


def api(expected: dict) -> dict:
    return {**expected, **API}


MATRIX: dict[str, dict] = {
    # --- public pages ---
    "healthz": {"path": "/healthz", "GET": public(200), "POST": public(405)},
    "accessibility": {
        "path": "/accessibility/",
        "GET": public(200),
        **{method: public(405) for method in ("POST", "PUT", "PATCH", "DELETE")},
    },
    "login": {"path": "/accounts/login/", "GET": outcome(200, 302, 302, 302, 302, 302)},
    "logout": {
        "path": "/accounts/logout/",
        "GET": outcome(SIGN_IN, 405, 405, 405, 405, 405),
        "POST": public(302),
    },
    # --- your account (every role; the second factor for administrators only) ---
    "account": {"path": "/accounts/", "GET": everyone(), "POST": everyone(405)},
    # An empty form: allowed roles see the errors (200), nothing changes.
    "password_change": {"path": "/accounts/password/", "GET": everyone(), "POST": everyone(200)},
    "password_change_done": {"path": "/accounts/password/done/", "GET": everyone()},
    # A forgotten password: open to anyone (an empty form shows its errors); a made-up
    # link shows "this link does not work" to everyone.
    "password_reset": {"path": "/accounts/password/reset/", "GET": public(200), "POST": public(200)},
    "password_reset_done": {"path": "/accounts/password/reset/sent/", "GET": public(200)},
    "password_reset_confirm": {
        "path": "/accounts/password/reset/MQ/bad-token/",
        "GET": public(200),
        "POST": public(200),
    },
    "password_reset_complete": {"path": "/accounts/password/reset/complete/", "GET": public(200)},
    "two_factor": {"path": "/accounts/two-factor/", "GET": administrators(), "POST": everyone(405)},
    # Showing the set-up page makes the pending (unconfirmed) device; an empty code is an error.
    "two_factor_setup": {
        "path": "/accounts/two-factor/set-up/",
        "GET": administrators(),
        "POST": administrators(200),
        "PUT": everyone(405),
    },
    # With no device there is nothing to remove: back to the status page.
    "two_factor_remove": {
        "path": "/accounts/two-factor/remove/",
        "GET": administrators(302),
        "POST": administrators(302),
    },
    # With no code owed, the code page sends everyone with a role on to the dashboard.
    # tests/security/test_two_factor.py walks this matrix again as a session that owes one.
    "two_factor_verify": {
        "path": "/accounts/two-factor/verify/",
        "GET": everyone(302),
        "POST": everyone(302),
    },
    # --- dashboard ---
    "home": {"path": "/", "GET": everyone(), "POST": everyone(405)},
    # --- officers' pages ---
    "actionplan:list": {"path": "/actions/", "GET": everyone(), "POST": everyone(405)},
    "actionplan:mine": {"path": "/actions/mine/", "GET": everyone()},
    "actionplan:export": {"path": "/actions/export.csv", "GET": everyone(), "POST": everyone(405)},
    "actionplan:detail": {"path": "/actions/{action}/", "GET": everyone(), "POST": everyone(405)},
    "actionplan:update": {
        "path": "/actions/{action}/update/",
        "GET": lead_and_administrators(),
        # An empty form: allowed roles see the errors (200), nothing is stored.
        "POST": lead_and_administrators(200),
    },
    # --- reminders ---
    "reminders:mine": {"path": "/reminders/", "GET": everyone()},
    "reminders:missing": {"path": "/reminders/missing/", "GET": administrators()},
    "reminders:remind": {
        "path": "/reminders/missing/remind/",
        "GET": everyone(405),
        "POST": administrators(302),
    },
    # The confirmation page; an empty POST goes back to the missing-updates page.
    "reminders:remind_everyone": {
        "path": "/reminders/missing/remind-everyone/",
        "GET": administrators(),
        "POST": administrators(302),
    },
    # --- board reports ---
    "reporting:list": {"path": "/reports/", "GET": everyone()},
    "reporting:request": {"path": "/reports/request/", "GET": administrators(), "POST": administrators(200)},
    "reporting:detail": {"path": "/reports/{report}/", "GET": everyone()},
    "reporting:download": {"path": "/reports/{report}/download/", "GET": everyone()},
    "reporting:preview": {"path": "/reports/{report}/preview/", "GET": administrators()},
    # An empty POST re-shows the confirmation with its error (200); reopening a ready report redirects.
    "reporting:send": {
        "path": "/reports/{report}/send/",
        "GET": administrators(),
        "POST": administrators(200),
    },
    "reporting:reopen": {
        "path": "/reports/{report}/reopen/",
        "GET": administrators(302),
        "POST": administrators(302),
    },
    "approvals:queue": {"path": "/approvals/", "GET": approvers(), "POST": approvers(400)},
    "approvals:return": {"path": "/approvals/{update}/return/", "GET": approvers(), "POST": approvers(200)},
    "api:approvals": {"path": "/api/v1/approvals/", "GET": api(approvers())},
    "api:approval-decision": {"path": "/api/v1/approvals/{update}/", "POST": api(approvers(400))},
    "reporting:retry": {
        "path": "/reports/{report}/retry/",
        "GET": everyone(405),
        "POST": administrators(302),
    },
    # --- audit ---
    "audit:history": {"path": "/audit/", "GET": administrators(), "POST": everyone(405)},
    # --- API ---
    "api:api-root": {"path": "/api/v1/", "GET": api(everyone())},
    "api:schema": {"path": "/api/v1/schema/", "GET": api(everyone())},
    "api:docs": {"path": "/api/v1/docs/", "accept": "text/html", "GET": api(everyone())},
    # Unknown API paths are a JSON 404 for anyone: it reveals nothing.
    "api:not-found": {"path": "/api/v1/no-such-thing/", "GET": public(404)},
    "api:partner-list": {"path": "/api/v1/partners/", "GET": api(everyone()), "POST": api(everyone(405))},
    "api:partner-detail": {
        "path": "/api/v1/partners/{partner}/",
        "GET": api(everyone()),
        "DELETE": api(everyone(405)),
    },
    "api:strategy-list": {"path": "/api/v1/strategies/", "GET": api(everyone()), "POST": api(everyone(405))},
    "api:strategy-detail": {
        "path": "/api/v1/strategies/{strategy}/",
        "GET": api(everyone()),
        "PUT": api(everyone(405)),
    },
    "api:theme-list": {"path": "/api/v1/themes/", "GET": api(everyone()), "POST": api(everyone(405))},
    "api:theme-detail": {
        "path": "/api/v1/themes/{theme}/",
        "GET": api(everyone()),
        "PATCH": api(everyone(405)),
    },
    "api:plan-list": {"path": "/api/v1/plans/", "GET": api(everyone()), "POST": api(everyone(405))},
    "api:plan-detail": {
        "path": "/api/v1/plans/{plan}/",
        "GET": api(everyone()),
        "DELETE": api(everyone(405)),
    },
    "api:action-list": {"path": "/api/v1/actions/", "GET": api(everyone()), "POST": api(everyone(405))},
    "api:action-detail": {
        "path": "/api/v1/actions/{action}/",
        "GET": api(everyone()),
        "PUT": api(everyone(405)),
        "DELETE": api(everyone(405)),
    },
    "api:action-updates": {
        "path": "/api/v1/actions/{action}/updates/",
        "GET": api(everyone()),
        # An empty body: allowed roles get per-field errors (400), nothing is stored.
        "POST": api(lead_and_administrators(400)),
    },
    "api:report-list": {"path": "/api/v1/reports/", "GET": api(everyone()), "POST": api(administrators(400))},
    "api:report-detail": {
        "path": "/api/v1/reports/{report}/",
        "GET": api(everyone()),
        "DELETE": api(administrators(405)),
    },
    # --- indicators ---
    "indicators:scorecard": {"path": "/indicators/", "GET": everyone(), "POST": everyone(405)},
    # An empty form: the owner and administrators see its errors (200), nothing is stored.
    "indicators:detail": {
        "path": "/indicators/{indicator}/",
        "GET": everyone(),
        "POST": lead_and_administrators(200),
        "DELETE": everyone(405),
    },
    "api:indicator-list": {"path": "/api/v1/indicators/", "GET": api(everyone()), "POST": api(everyone(405))},
    "api:indicator-detail": {
        "path": "/api/v1/indicators/{indicator}/",
        "GET": api(everyone()),
        "PUT": api(everyone(405)),
        "DELETE": api(everyone(405)),
    },
    "api:indicator-values": {
        "path": "/api/v1/indicators/{indicator}/values/",
        "GET": api(everyone()),
        # An empty body: the owner and administrators get per-field errors (400), nothing is stored.
        "POST": api(lead_and_administrators(400)),
        "DELETE": api(everyone(405)),
    },
    # --- risks ---
    "risks:register": {"path": "/risks/", "GET": everyone(), "POST": everyone(405)},
    "risks:detail": {"path": "/risks/{risk}/", "GET": everyone(), "POST": everyone(405)},
    # An empty review: the owner and administrators get the form back with its errors.
    "risks:review": {
        "path": "/risks/{risk}/review/",
        "GET": everyone(405),
        "POST": lead_and_administrators(200),
    },
    "api:risks": {"path": "/api/v1/risks/", "GET": api(everyone()), "POST": api(everyone(405))},
    "api:risk": {"path": "/api/v1/risks/{risk}/", "GET": api(everyone()), "DELETE": api(everyone(405))},
    "api:risk-reviews": {
        "path": "/api/v1/risks/{risk}/reviews/",
        "GET": api(everyone()),
        # An empty body: the owner and administrators get per-field errors (400), nothing is stored.
        "POST": api(lead_and_administrators(400)),
    },
    "approvals:return-item": {
        "path": "/approvals/review/{review}/return/",
        "GET": approvers(),
        "POST": approvers(200),
    },
}
