"""The app's routes under /api/v1/ (included by api.urls before its JSON 404)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
