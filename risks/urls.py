from django.urls import path

from risks import views

app_name = "risks"
urlpatterns = [
    path("", views.register, name="register"),
    path("<int:pk>/", views.risk_detail, name="detail"),
    path("<int:pk>/review/", views.risk_review, name="review"),
]
