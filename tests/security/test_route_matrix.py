"""Every route, every method, every role: what tests/security/permission_matrix.py says.

The first test walks Django's URL resolver and fails for any route without an
entry in the matrix, so a new page or API endpoint cannot ship without a rule.
"""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts import roles
from actionplan.factories import ActionFactory, UpdateFactory
from indicators.factories import IndicatorFactory
from reporting.models import BoardReport
from tests.security.permission_matrix import ADMIN_PREFIX, MATRIX, ROLES, SIGN_IN

pytestmark = pytest.mark.django_db


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield prefix + str(entry.pattern), name


def all_routes() -> list[tuple[str, str | None]]:
    return list(_walk(get_resolver().url_patterns))


def test_every_route_has_a_rule_in_the_matrix():
    missing = sorted(
        f"{pattern} (name {name!r})"
        for pattern, name in all_routes()
        if not pattern.startswith(ADMIN_PREFIX) and name not in MATRIX
    )
    assert not missing, "Routes with no entry in tests/security/permission_matrix.py:\n" + "\n".join(missing)


def test_matrix_has_no_stale_entries():
    names = {name for _, name in all_routes()}
    assert sorted(set(MATRIX) - names) == []


@pytest.fixture
def approver(theme):
    from accounts.factories import UserFactory

    user = UserFactory(username="theme-approver", role=roles.APPROVER)
    theme.approvers.add(user)
    return user


@pytest.fixture
def people(officer, colleague, councillor, board_member, approver, administrator):
    return {
        "anonymous": None,
        "officer": officer,
        "other_officer": colleague,
        "committee_member": councillor,
        "board_member": board_member,
        "approver": approver,
        "administrator": administrator,
    }


@pytest.fixture
def objects(action, colleague, strategy, theme, plan, maidstone, administrator, risk_placeholders):
    other_action = ActionFactory(plan=plan, theme=theme, lead_officer=colleague, reference="9.1")
    report = BoardReport(
        strategy=strategy, period=20222, state=BoardReport.State.READY, requested_by=administrator
    )
    report.sha256 = "0" * 64
    report.pdf.save("q2.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    # The officer's update, submitted while sign-off is on: it awaits sign-off.
    submitted = UpdateFactory(action=action, period=20223, rag="green", needs_sign_off=True)
    return {
        "update": submitted.pk,
        "action": action.pk,
        "other_action": other_action.pk,
        "report": report.pk,
        "strategy": strategy.pk,
        "theme": theme.pk,
        "plan": plan.pk,
        "partner": maidstone.pk,
        # --- indicators ---
        # {indicator} is owned by the officer (who records its values, as administrators do).
        "indicator": IndicatorFactory(strategy=strategy, theme=theme, owner=action.lead_officer).pk,
        **risk_placeholders,
    }


def _request(user, method: str, path: str, accept: str | None = None):
    client = Client()
    if user is not None:
        client.force_login(user)
    api = path.startswith("/api/")
    kwargs = {"content_type": "application/json"} if api and method != "GET" else {}
    kwargs["HTTP_ACCEPT"] = accept or ("application/json" if api else "text/html")
    return getattr(client, method.lower())(path, **({"data": {}} if method != "GET" else {}), **kwargs)


def _matches(response, expected) -> bool:
    if expected == SIGN_IN:
        return response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    return response.status_code == expected


# Administrators go last: their POSTs (send a report, remind now) change state.
_ORDER = [r for r in ROLES if r != "administrator"] + ["administrator"]


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_route_answers_each_role_as_the_matrix_says(name, people, objects):
    rule = MATRIX[name]
    path = rule["path"].format(**objects)
    wrong = []
    for method in [m for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if m in rule]:
        for role in _ORDER:
            response = _request(people[role], method, path, rule.get("accept"))
            expected = rule[method][role]
            if not _matches(response, expected):
                wrong.append(f"{method} {path} as {role}: got {response.status_code}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def _admin_paths(objects) -> list[str]:
    """The index and, for every registered model, its list, add, change, delete and history pages."""
    paths = ["/admin/", "/admin/password_change/"]
    for model in admin_site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        paths += [base, f"{base}add/"]
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            paths += [f"{base}{first}/change/", f"{base}{first}/delete/", f"{base}{first}/history/"]
    return paths


@pytest.mark.parametrize("role", [r for r in ROLES if r != "administrator"])
def test_admin_site_refuses_everyone_but_administrators(role, people, objects):
    client = Client()
    if people[role] is not None:
        client.force_login(people[role])
    for path in _admin_paths(objects):
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code == 302, f"{method} {path} as {role}"
            assert response["Location"].startswith("/admin/login/"), f"{method} {path} as {role}"


def test_administrators_reach_every_admin_list_and_add_page(people, objects):
    client = Client()
    client.force_login(people["administrator"])
    for path in _admin_paths(objects):
        if path.endswith(("/delete/",)) or "/password_change/" in path:
            continue
        response = client.get(path)
        assert response.status_code in (200, 403), f"GET {path}: {response.status_code}"


def test_signed_in_user_without_a_role_sees_nothing(stranger, objects):
    client = Client()
    client.force_login(stranger)
    refused = []
    for name, rule in MATRIX.items():
        if rule["GET" if "GET" in rule else "POST"]["anonymous"] != SIGN_IN and not name.startswith("api:"):
            continue  # public pages
        path = rule["path"].format(**objects)
        accept = rule.get("accept") or ("application/json" if name.startswith("api:") else "text/html")
        response = client.get(path, HTTP_ACCEPT=accept)
        if response.status_code not in (403, 404, 405):
            refused.append(f"GET {path}: {response.status_code}")
    assert not refused, "A user with no role reached:\n" + "\n".join(refused)


def test_roles_fixture_covers_every_portal_role(people):
    groups = {g for user in people.values() if user for g in user.groups.values_list("name", flat=True)}
    assert groups == set(roles.ROLES)
