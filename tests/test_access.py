import pytest

from accounts import access

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "person, view, update, manage, reports",
    [
        ("administrator", True, True, True, True),
        ("officer", True, True, False, False),  # leads the action
        ("colleague", True, False, False, False),  # another council's officer
        ("councillor", True, False, False, False),
        ("board_member", True, False, False, False),
        ("stranger", False, False, False, False),
    ],
)
def test_access_per_role(request, action, person, view, update, manage, reports):
    user = request.getfixturevalue(person)
    assert access.can_view_action(user, action) is view
    assert access.can_update_action(user, action) is update
    assert access.can_manage_plan(user, action.plan) is manage
    assert access.can_request_reports(user) is reports
    assert access.can_view_reports(user) is view


def test_anonymous_has_no_access(action):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not access.can_view_action(anonymous, action)
    assert not access.can_update_action(anonymous, action)


def test_inactive_administrator_has_no_access(administrator, action):
    administrator.is_active = False
    assert not access.can_update_action(administrator, action)
