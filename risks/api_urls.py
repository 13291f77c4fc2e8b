"""The app's routes under /api/v1/ (included by api.urls before its JSON 404)."""

from django.urls import path

from risks import api

urlpatterns = [
    path("risks/", api.RiskListView.as_view(), name="risks"),
    path("risks/<int:pk>/", api.RiskDetailView.as_view(), name="risk"),
    path("risks/<int:pk>/reviews/", api.RiskReviewsView.as_view(), name="risk-reviews"),
]
