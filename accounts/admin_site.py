"""The admin site, with the second factor and one password change page.

- Anyone with a TOTP device must have entered a code in this session; with
  ADMIN_TWO_FACTOR_REQUIRED, every administrator must (accounts.two_factor). The
  middleware sends people to the code or set-up page first; this refusal is the
  backstop should the middleware ever be bypassed or reordered.
- The admin's own "Change password" goes to the portal's page, so every password
  change by its owner is checked, logged and e-mailed in one place.
"""

from django.contrib.admin import AdminSite
from django.shortcuts import redirect

from accounts import two_factor


class PortalAdminSite(AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and two_factor.admin_requirement(request) is None

    def password_change(self, request, extra_context=None):
        return redirect("password_change")

    def password_change_done(self, request, extra_context=None):
        return redirect("password_change_done")
