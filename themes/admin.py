from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from themes.models import PartnerAuthority, Strategy, Theme


@admin.register(PartnerAuthority)
class PartnerAuthorityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "slug"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 0


@admin.register(Strategy)
class StrategyAdmin(SimpleHistoryAdmin):
    list_display = ["title", "first_year", "last_year", "status", "approved_on"]
    list_filter = ["status"]
    search_fields = ["title", "approved_by"]
    inlines = [ThemeInline]


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "strategy"]
    list_filter = ["strategy"]
    search_fields = ["title", "summary"]
