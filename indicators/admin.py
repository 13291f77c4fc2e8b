from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from accounts import access
from actionplan.admin_transfer import UploadForm, import_page
from indicators.imports import values_import
from indicators.models import Indicator, IndicatorTarget, IndicatorValue
from themes import selectors as strategies
from themes.models import Strategy


class TargetInline(admin.TabularInline):
    model = IndicatorTarget
    extra = 1
    fields = ["year", "quarter", "target", "tolerance", "tolerance_kind"]


class ValueInline(admin.TabularInline):
    """Read-only: values are recorded through the portal or the import, never edited."""

    model = IndicatorValue
    extra = 0
    can_delete = False
    fields = ["period_end", "partner", "actual", "commentary", "author", "created_at"]
    readonly_fields = fields
    ordering = ["-period_end", "-created_at"]
    max_num = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "theme", "unit", "polarity", "frequency", "owner", "is_activity"]
    list_filter = ["strategy", "theme__number", "frequency", "polarity", "is_activity", "per_partner"]
    search_fields = ["code", "name", "definition", "owner__username", "owner__last_name"]
    autocomplete_fields = ["owner", "actions"]
    list_select_related = ["theme", "owner"]
    inlines = [TargetInline, ValueInline]


class ValuesImportForm(UploadForm):
    scope = "strategy"
    strategy = forms.ModelChoiceField(queryset=Strategy.objects.order_by("-first_year"))


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    """Values are append-only: the admin reads them; the import adds them."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [path("import/", wrap(self.import_view), name="indicators_import"), *super().get_urls()]

    def import_view(self, request):
        if not access.can_import_indicator_values(request.user):
            raise PermissionDenied
        return import_page(
            request,
            self,
            form_class=ValuesImportForm,
            importer=values_import,
            initial=strategies.active_strategy,
            title="Import indicator values from CSV or Excel",
            template="admin/indicators/indicatorvalue/import.html",
        )

    list_display = ["indicator", "period_end", "partner", "actual", "author", "created_at"]
    list_filter = ["indicator__theme__number", "partner"]
    search_fields = ["indicator__code", "indicator__name", "commentary", "author__username"]
    list_select_related = ["indicator", "partner", "author"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
