from django.contrib import admin
from django.urls import include, path

from core import views as core_views

admin.site.site_header = "ICT Strategy Delivery Portal administration"
admin.site.site_title = "ICT Strategy Portal admin"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("accessibility/", core_views.accessibility_statement, name="accessibility"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("audit/", include("audit.urls")),
    path("reminders/", include("reminders.urls")),
    path("actions/", include("actionplan.urls")),
    path("reports/", include("reporting.urls")),
    path("approvals/", include("approvals.urls")),
    path("indicators/", include("indicators.urls")),
    path("risks/", include("risks.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("dashboard.urls")),
]
