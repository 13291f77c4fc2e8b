"""DRF permission classes: thin adapters onto accounts.access, which holds every rule."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts import access


class HasPortalRole(BasePermission):
    """Anyone with a role reads; a signed-in user with no role gets 403."""

    message = "Your account has no role in the portal. Ask an administrator for access."

    def has_permission(self, request, view):
        return access.has_portal_role(request.user)


class CanUpdateAction(BasePermission):
    """Reading an action's history is for every role; adding to it follows access."""

    message = "You can only update actions you lead."

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return access.can_view_action(request.user, obj)
        return access.can_update_action(request.user, obj)


class CanRequestReports(BasePermission):
    message = "Only administrators can request board reports."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return access.can_view_reports(request.user)
        return access.can_request_reports(request.user)
