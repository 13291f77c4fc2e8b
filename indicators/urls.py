from django.urls import path

from indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.scorecard, name="scorecard"),
    path("<int:pk>/", views.indicator_detail, name="detail"),
]
