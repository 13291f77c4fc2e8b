"""The app's routes under /api/v1/ (included by api.urls before its JSON 404)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from indicators import api

router = SimpleRouter()
router.register("indicators", api.IndicatorViewSet, basename="indicator")

urlpatterns = [
    path("indicators/<int:pk>/values/", api.IndicatorValuesView.as_view(), name="indicator-values"),
    *router.urls,
]
