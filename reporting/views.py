"""The /reports/ pages: thin views over reporting.selectors and reporting.services.

Everyone with a portal role reads and downloads; administrators request, preview,
send (after confirming on the send page), retry, and reopen a sent report's quarter
(accounts.access). Every write is a POST that answers with a redirect, or with the
form and its errors.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from reporting import selectors, services
from reporting.forms import QuarterReopenForm, ReportRequestForm, ReportSendForm
from reporting.models import BoardReport, Delivery
from themes import selectors as themes_selectors


def _require_viewer(request: HttpRequest) -> None:
    if not access.can_view_reports(request.user):
        raise PermissionDenied


def _require_requester(request: HttpRequest) -> None:
    if not access.can_request_reports(request.user):
        raise PermissionDenied


def _posted(request: HttpRequest):
    """The posted data, or None for a GET: a POST with nothing ticked is still a submission."""
    return request.POST if request.method == "POST" else None


def _form_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: by field where it names one, else for the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages_ in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    reports = list(selectors.report_list())
    for report in reports:
        # From the prefetched deliveries: the count others see in place of the names.
        report.sent_count = sum(d.state == Delivery.State.SENT for d in report.deliveries.all())
    return render(
        request,
        "reporting/report_list.html",
        {
            "reports": reports,
            "can_request": access.can_request_reports(request.user),
            "recipient_count": selectors.active_recipients().count(),
            "nav_reports": True,
        },
    )


@require_http_methods(["GET", "POST"])
def report_request(request: HttpRequest) -> HttpResponse:
    _require_requester(request)
    strategy = themes_selectors.active_strategy()
    form = ReportRequestForm(_posted(request), strategy=strategy)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_request(
                quarter=form.chosen_quarter,
                user=request.user,
                # Never sent from here: sending goes through the confirmation page.
                send=False,
                strategy=strategy,
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("quarter", exc.messages):
                form.add_error("quarter", message)
        else:
            messages.success(request, f"The {report.quarter.label} report has been requested.")
            return redirect(report.get_absolute_url())
    return render(
        request,
        "reporting/report_request.html",
        {
            "form": form,
            "strategy": strategy,
            "recipients": selectors.active_recipients(),
            "nav_reports": True,
        },
    )


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_viewer(request)
    report = get_object_or_404(selectors.report_list(), pk=pk)
    can_request = access.can_request_reports(request.user)
    can_reopen = access.can_lock_quarters(request.user) and not services.reopen_refusal(report)
    return render(
        request,
        "reporting/report_detail.html",
        {
            "report": report,
            "deliveries": report.deliveries.all(),
            "can_request": can_request,
            "can_reopen": can_reopen,
            "recipients": selectors.active_recipients() if can_request else [],
            "nav_reports": True,
        },
    )


@require_GET
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    _require_viewer(request)
    report = get_object_or_404(BoardReport, pk=pk)
    if not report.has_pdf:
        raise Http404("This report has no PDF yet.")
    try:
        handle = report.pdf.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The PDF file is missing.") from exc
    return FileResponse(handle, as_attachment=True, filename=report.filename, content_type="application/pdf")


@require_GET
def report_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's HTML as it would be built now: for checking before sending."""
    _require_requester(request)
    report = get_object_or_404(BoardReport, pk=pk)
    return HttpResponse(services.report_html(report, for_browser=True))


@require_http_methods(["GET", "POST"])
def report_send(request: HttpRequest, pk: int) -> HttpResponse:
    """What will be sent, to whom, and what is still missing; sent only once confirmed."""
    _require_requester(request)
    report = get_object_or_404(selectors.report_list(), pk=pk)
    # An unfinished quarter is not refused here: the form asks to confirm "report early".
    refusal = services.send_refusal(report, report_early=True)
    if refusal:
        messages.error(request, refusal)
        return redirect(report.get_absolute_url())
    form = ReportSendForm(_posted(request), quarter=report.quarter)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_send_request(
                report=report,
                user=request.user,
                confirmed=form.cleaned_data["confirm"],
                report_early=form.cleaned_data.get("report_early", False),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"The {report.quarter.label} report is being sent to the board.")
            return redirect(report.get_absolute_url())
    return render(
        request,
        "reporting/report_send.html",
        {"report": report, "form": form, "checklist": selectors.send_checklist(report), "nav_reports": True},
    )


@require_http_methods(["GET", "POST"])
def report_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen a sent report's quarter, with a reason: the report is then superseded."""
    if not access.can_lock_quarters(request.user):
        raise PermissionDenied
    report = get_object_or_404(selectors.report_list(), pk=pk)
    refusal = services.reopen_refusal(report)
    if refusal:
        messages.error(request, refusal)
        return redirect(report.get_absolute_url())
    form = QuarterReopenForm(_posted(request), quarter=report.quarter)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_quarter_reopen(
                report=report, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                f"{report.quarter.label} has been reopened: updates for it can be added again. "
                "This report is marked superseded; request a new report to send the next version.",
            )
            return redirect(report.get_absolute_url())
    return render(
        request, "reporting/report_reopen.html", {"report": report, "form": form, "nav_reports": True}
    )


@require_POST
def report_retry(request: HttpRequest, pk: int) -> HttpResponse:
    _require_requester(request)
    report = get_object_or_404(BoardReport, pk=pk)
    try:
        services.report_retry(report=report, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The {report.quarter.label} report has been started again.")
    return redirect(report.get_absolute_url())
