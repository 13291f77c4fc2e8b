from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reporting.models import BoardReport, Delivery, Recipient


@admin.register(Recipient)
class RecipientAdmin(SimpleHistoryAdmin):
    list_display = ["name", "email", "role", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "email", "role"]


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = ["name", "email", "state", "attempts", "sent_at", "error"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BoardReport)
class BoardReportAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "strategy", "state", "requested_by", "requested_at", "sent_at"]
    list_filter = ["state", "strategy"]
    search_fields = ["error"]
    readonly_fields = ["sha256", "page_count", "built_at", "sent_at", "error"]
    inlines = [DeliveryInline]
