from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import views

router = DefaultRouter()
router.register("partners", views.PartnerViewSet, basename="partner")
router.register("strategies", views.StrategyViewSet, basename="strategy")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("actions", views.ActionViewSet, basename="action")
router.register("reports", views.ReportViewSet, basename="report")

app_name = "api"
urlpatterns = [
    path("actions/<int:pk>/updates/", views.ActionUpdatesView.as_view(), name="action-updates"),
    path("approvals/", views.ApprovalsView.as_view(), name="approvals"),
    path("approvals/<int:pk>/", views.ApprovalDecisionView.as_view(), name="approval-decision"),
    path("", include("indicators.api_urls")),
    path("", include("risks.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
    # Anything else under the API is a JSON 404, never the HTML page.
    re_path(r"^[\s\S]*$", views.not_found, name="not-found"),
]
