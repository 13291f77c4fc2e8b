from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from accounts import services, two_factor
from accounts.models import User
from core.security_log import log_event
from core.session_timeout import end_user_sessions


@admin.register(User)
class PortalUserAdmin(UserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "email", "job_title", "partner", "is_active"]
    list_filter = ["groups", "partner", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "job_title"]
    fieldsets = UserAdmin.fieldsets + (("Council", {"fields": ("job_title", "partner")}),)
    actions = ["end_sessions"]

    @admin.action(
        description="Sign out of every session (for a lost device or a leaver)", permissions=["change"]
    )
    def end_sessions(self, request, queryset):
        total = 0
        for user in queryset:
            ended = end_user_sessions(user)
            total += ended
            log_event("sessions_ended", request, reason=f"{ended} session(s) of {user.get_username()}")
        self.message_user(
            request, f"Ended {total} session(s) of {queryset.count()} user(s).", level=messages.SUCCESS
        )

    def save_model(self, request, obj, form, change):
        """Tell the old address when an administrator changes someone's e-mail address (ASVS 2.2.3)."""
        old_email = form.initial.get("email", "") if change else ""
        super().save_model(request, obj, form, change)
        if change and "email" in form.changed_data and old_email:
            log_event("email_changed", request, reason=f"for {obj.get_username()}")
            services.account_change_notify(user=obj, change="email_changed", by=request.user, to=old_email)

    def user_change_password(self, request, id, form_url=""):
        """An administrator sets someone's password: log it and tell its owner (ASVS 2.2.3)."""
        response = super().user_change_password(request, id, form_url)
        # Django answers a saved change by redirecting to the user's page; anything
        # else (the form again, or "try again" to the same address) changed nothing.
        if request.method == "POST" and response.status_code == 302 and response.url != request.path:
            user = self.get_object(request, unquote(id))
            if user is not None:
                log_event("password_changed", request, reason=f"set for {user.get_username()}")
                services.account_change_notify(user=user, change="password_changed", by=request.user)
        return response


# django-otp registers an admin that can create devices and show their keys. Here an
# administrator only sees who has one and removes it (a lost or replaced phone);
# people set up their own at /accounts/two-factor/, so no key is ever seen by another.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TwoFactorDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    fields = list_display + ["throttling_failure_timestamp"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        self._remove(request, obj)

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            self._remove(request, device)

    @staticmethod
    def _remove(request, device):
        log_event("two_factor_removed", request, reason=f"by administrator, for {device.user.get_username()}")
        two_factor.device_remove(device=device, by=request.user)
