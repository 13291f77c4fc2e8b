from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reminders.models import QuarterDeadline, Reminder, ReportingCalendar


class QuarterDeadlineInline(admin.TabularInline):
    model = QuarterDeadline
    extra = 0
    fields = ["period", "due_on", "board_report_on"]


@admin.register(ReportingCalendar)
class ReportingCalendarAdmin(SimpleHistoryAdmin):
    list_display = ["strategy", "due_working_days", "first_reminder_days", "board_report_working_days"]
    list_display += ["reminders_enabled"]
    inlines = [QuarterDeadlineInline]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Read-only: the record of what was sent. Sending is the schedule's or "remind now"."""

    list_display = ["recipient", "step", "period", "state", "attempts", "day", "sent_at"]
    list_filter = ["step", "state", "period", "strategy"]
    search_fields = ["recipient__username", "recipient__last_name", "email"]
    readonly_fields = [f.name for f in Reminder._meta.fields] + ["actions"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
