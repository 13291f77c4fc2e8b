"""Admin pages to import a plan's actions from CSV or Excel and to export them."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path

from accounts import access
from actionplan import exports
from actionplan.imports import MAX_UPLOAD_BYTES, ImportFailed, actions_import
from actionplan.models import ActionPlan
from core import clock
from themes.models import Strategy

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    """An admin import's file and what should happen to it. A subclass adds the field that
    says what the rows belong to, named by `scope` (a plan, a strategy)."""

    scope = ""
    field_order = ["plan", "strategy", "file", "dry_run"]

    file = forms.FileField(
        help_text="A .csv or .xlsx file with the template's columns, at most 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    # Two named choices, not a ticked "Check only" box: what happens is said in words.
    # "on" is what the old checkbox posted, so scripts that check a file still do.
    dry_run = forms.TypedChoiceField(
        label="What should happen to the file?",
        choices=[
            ("on", "Check it: list every problem and what would change, and store nothing"),
            ("import", "Import it: store the changes (a file with any problem is still refused whole)"),
        ],
        coerce=lambda value: value == "on",
        empty_value=False,
        required=False,
        initial="on",
        widget=forms.RadioSelect,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Choose a .csv or .xlsx file.")
        return upload


class ImportForm(UploadForm):
    scope = "plan"
    plan = forms.ModelChoiceField(
        queryset=ActionPlan.objects.exclude(status=ActionPlan.Status.CLOSED).select_related("strategy"),
        help_text="Actions are matched on their reference within this plan.",
    )


def import_page(request, model_admin, *, form_class, importer, initial, title: str, template: str, **extra):
    """An admin import page (actions, indicator values, risks): check or import the file with
    `importer`, all rows or none; after a check, the real import is offered for the same
    plan or strategy. The caller has checked who may import."""
    result = problems = None
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            scope = form.cleaned_data[form_class.scope]
            try:
                result = importer(
                    **{form_class.scope: scope},
                    data=upload.read(),
                    filename=upload.name,
                    user=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ImportFailed as failed:
                problems = failed.problems
            if result and result.dry_run:
                form = form_class(initial={form_class.scope: scope, "dry_run": "import"})
    else:
        form = form_class(initial={form_class.scope: initial()})
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "form": form,
        "result": result,
        "problems": problems,
        **extra,
    }
    return TemplateResponse(request, template, context)


def _require_manager(request):
    if not access.can_manage_plan(request.user):
        raise PermissionDenied


def transfer_urls(model_admin):
    wrap = model_admin.admin_site.admin_view
    return [
        path("import/", wrap(lambda r: import_view(r, model_admin)), name="actionplan_import"),
        path("import/template.<str:kind>", wrap(template_view), name="actionplan_import_template"),
        path("<int:pk>/export.<str:kind>", wrap(export_view), name="actionplan_export"),
    ]


def import_view(request, model_admin):
    _require_manager(request)
    return import_page(
        request,
        model_admin,
        form_class=ImportForm,
        importer=actions_import,
        initial=lambda: ActionPlan.objects.filter(
            year=clock.current_financial_year(), strategy__status=Strategy.Status.ACTIVE
        ).first(),
        title="Import actions from CSV or Excel",
        template="admin/actionplan/actionplan/import.html",
    )


def template_view(request, kind):
    _require_manager(request)
    if kind == "csv":
        return _download(exports.template_csv(), "action-import-template.csv", "text/csv; charset=utf-8")
    if kind == "xlsx":
        return _download(exports.template_xlsx(), "action-import-template.xlsx", XLSX)
    raise PermissionDenied


def export_view(request, pk, kind):
    _require_manager(request)
    plan = get_object_or_404(ActionPlan, pk=pk)
    name = f"actions-{plan.year_label.replace('/', '-')}"
    if kind == "csv":
        return _download(exports.export_csv(plan), f"{name}.csv", "text/csv; charset=utf-8")
    if kind == "xlsx":
        return _download(exports.export_xlsx(plan), f"{name}.xlsx", XLSX)
    raise PermissionDenied


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
