from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

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
