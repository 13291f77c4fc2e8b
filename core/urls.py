from django.urls import path

from core import home

urlpatterns = [
    path("", home.home, name="home"),
]
