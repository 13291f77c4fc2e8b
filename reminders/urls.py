from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.my_reminders, name="mine"),
    path("missing/", views.missing_updates, name="missing"),
    path("missing/remind/", views.remind_now, name="remind"),
    path("missing/remind-everyone/", views.remind_everyone, name="remind_everyone"),
]
