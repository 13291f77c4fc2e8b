"""App configurations that live here rather than in their own packages.

Kept apart from accounts/apps.py: Django picks an app's configuration from its
apps module, and more than one there would be ambiguous.
"""

from django.contrib.admin.apps import AdminConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class PortalAdminConfig(AdminConfig):
    """Django's admin app, on the portal's admin site (accounts.admin_site)."""

    default_site = "accounts.admin_site.PortalAdminSite"

    def ready(self):
        super().ready()
        from accounts import admin_names

        admin_names.rename()


class TwoFactorDevicesConfig(TOTPConfig):
    """django-otp's TOTP devices, under a heading administrators recognise in the admin."""

    verbose_name = "Two-factor authentication"
