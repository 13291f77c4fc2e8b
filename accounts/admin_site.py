"""The admin site, with the second factor and one password change page.

- Anyone with a TOTP device must have entered a code in this session; with
  ADMIN_TWO_FACTOR_REQUIRED, every administrator must (accounts.two_factor). The
  middleware sends people to the code or set-up page first; this refusal is the
  backstop should the middleware ever be bypassed or reordered.
- The admin's own "Change password" goes to the portal's page, so every password
  change by its owner is checked, logged and e-mailed in one place.
- There is one sign-in page, the portal's: a signed-in person who is not an
  administrator gets the portal's refusal (403), not Django's "log in as another
  account" form.
"""

from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from accounts import two_factor

_SECOND_FACTOR_PAGE = {"verify": "two_factor_verify", "set up": "two_factor_setup"}


class PortalAdminSite(AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and two_factor.admin_requirement(request) is None

    def login(self, request, extra_context=None):
        if not request.user.is_authenticated:
            return redirect_to_login(
                request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"), login_url=reverse("login")
            )
        if self.has_permission(request):
            return redirect("admin:index")
        need = two_factor.admin_requirement(request) if request.user.is_staff else None
        if need:
            return redirect(_SECOND_FACTOR_PAGE[need])
        raise PermissionDenied

    def password_change(self, request, extra_context=None):
        return redirect("password_change")

    def password_change_done(self, request, extra_context=None):
        return redirect("password_change_done")
