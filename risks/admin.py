"""Setting up risks: the register, further actions, score bands, and an import and export.

Reviews are read-only here: the owner adds them on the risk's page (risks.services)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from accounts import access
from actionplan.admin_transfer import XLSX, UploadForm, import_page
from risks import transfer
from risks.models import FurtherAction, Risk, RiskReview, ScoreBand
from themes.models import Strategy


class FurtherActionInline(admin.TabularInline):
    model = FurtherAction
    extra = 0
    fields = ["description", "owner", "due_date", "completed_on"]
    autocomplete_fields = ["owner"]


class ReviewInline(admin.TabularInline):
    """Read-only: reviews are added on the risk's page, never edited."""

    model = RiskReview
    extra = 0
    can_delete = False
    fields = ["period", "likelihood", "impact", "control_effectiveness", "author", "created_at"]
    readonly_fields = fields
    ordering = ["-period", "-created_at"]

    def has_add_permission(self, request, obj=None):
        return False


class ImportForm(UploadForm):
    scope = "strategy"
    strategy = forms.ModelChoiceField(
        queryset=Strategy.objects.all(), help_text="Risks are matched on reference."
    )


@admin.register(Risk)
class RiskAdmin(SimpleHistoryAdmin):
    list_display = [
        "reference",
        "title",
        "strategy",
        "theme",
        "owner",
        "appetite",
        "identified_on",
        "closed_on",
    ]
    list_filter = ["strategy", "theme__number", "review_frequency"]
    search_fields = [
        "reference",
        "title",
        "cause",
        "event",
        "consequence",
        "owner__username",
        "owner__last_name",
    ]
    autocomplete_fields = ["owner", "mitigating_actions"]
    list_select_related = ["strategy", "theme", "owner"]
    inlines = [FurtherActionInline, ReviewInline]
    change_list_template = "admin/risks/risk/change_list.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="risks_import"),
            path("export/<int:pk>.<str:kind>", wrap(self.export_view), name="risks_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        exports = [
            (
                s,
                reverse("admin:risks_export", args=[s.pk, "csv"]),
                reverse("admin:risks_export", args=[s.pk, "xlsx"]),
            )
            for s in Strategy.objects.filter(risks__isnull=False).distinct()
        ]
        return super().changelist_view(request, {**(extra_context or {}), "risk_exports": exports})

    def import_view(self, request):
        if not access.can_manage_risks(request.user):
            raise PermissionDenied
        return import_page(
            request,
            self,
            form_class=ImportForm,
            importer=transfer.risks_import,
            initial=lambda: None,
            title="Import risks from CSV or Excel",
            template="admin/risks/risk/import.html",
            columns=[h for _, h, _ in transfer.COLUMNS],
        )

    def export_view(self, request, pk, kind):
        if not access.can_manage_risks(request.user):
            raise PermissionDenied
        strategy = Strategy.objects.filter(pk=pk).first()
        if strategy is None or kind not in ("csv", "xlsx"):
            raise PermissionDenied
        if kind == "csv":
            content, content_type = transfer.export_csv(strategy), "text/csv; charset=utf-8"
        else:
            content, content_type = transfer.export_xlsx(strategy), XLSX
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="risk-register.{kind}"'
        return response


@admin.register(RiskReview)
class RiskReviewAdmin(admin.ModelAdmin):
    """Reviews are append-only: the admin can read them but not change or delete them."""

    list_display = ["risk", "period", "likelihood", "impact", "control_effectiveness", "author", "created_at"]
    list_filter = ["period", "control_effectiveness"]
    search_fields = ["risk__reference", "risk__title", "commentary"]
    list_select_related = ["risk", "author"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ScoreBand)
class ScoreBandAdmin(SimpleHistoryAdmin):
    list_display = ["strategy", "level", "lowest", "highest"]
    list_filter = ["strategy"]

    @admin.display(description="Scores")
    def scores(self, band):
        return format_html("{} to {}", band.lowest, band.highest)
