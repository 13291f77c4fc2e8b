from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from actionplan.admin_transfer import transfer_urls
from actionplan.models import Action, ActionPlan, ProgressUpdate, QuarterLock


@admin.register(ActionPlan)
class ActionPlanAdmin(SimpleHistoryAdmin):
    list_display = ["strategy", "year_label", "status", "approved_on", "export_links"]
    list_filter = ["strategy", "status"]
    search_fields = ["strategy__title", "notes"]

    def get_urls(self):
        return transfer_urls(self) + super().get_urls()

    @admin.display(description="Export actions")
    def export_links(self, plan):
        return format_html(
            '<a href="{}">CSV</a> / <a href="{}">Excel</a>',
            reverse("admin:actionplan_export", args=[plan.pk, "csv"]),
            reverse("admin:actionplan_export", args=[plan.pk, "xlsx"]),
        )


class ProgressUpdateInline(admin.TabularInline):
    """Read-only: updates are added through the portal, never edited."""

    model = ProgressUpdate
    fk_name = "action"
    extra = 0
    can_delete = False
    fields = ["period", "partner", "status", "rag", "percent_complete", "author", "created_at"]
    readonly_fields = fields
    ordering = ["-period", "-created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "title", "plan", "theme", "lead_officer", "due_date", "priority"]
    list_filter = ["plan__strategy", "plan__year", "theme__number", "priority", "partners"]
    search_fields = ["reference", "title", "description", "lead_officer__username", "lead_officer__last_name"]
    autocomplete_fields = ["lead_officer", "carried_forward_from"]
    filter_horizontal = ["partners"]
    list_select_related = ["plan__strategy", "theme", "lead_officer"]
    inlines = [ProgressUpdateInline]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    """Updates are append-only: the admin can read them but not change or delete them."""

    list_display = [
        "action",
        "period",
        "partner",
        "status",
        "rag",
        "percent_complete",
        "author",
        "created_at",
    ]
    list_filter = ["status", "rag", "period", "partner"]
    search_fields = ["action__reference", "action__title", "commentary", "author__username"]
    list_select_related = ["action", "partner", "author"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(QuarterLock)
class QuarterLockAdmin(SimpleHistoryAdmin):
    list_display = ["period", "locked_by", "locked_at", "reason"]
    readonly_fields = ["locked_at"]
